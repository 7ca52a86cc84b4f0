// The credit scheduler on the real kernel: three CPU-bound spinner domains with weights
// 256, 512 and 1024 run for the same wall time; their iteration counts must split like the
// weights, within the Spec's fairness epsilon (4 percentage points of share). Then a capped
// spinner next to an uncapped one, with the tick and slice set from the command line.
import BulkheadHost
import Foundation
import Testing

extension Hardware {
  @Suite("Credit scheduler shares")
  struct SchedulerShares {
    static let weights = [("a", 256), ("b", 512), ("c", 1024)]
    static let epsilon = 0.04

    @Test("spinners with weights 256/512/1024 get CPU shares within epsilon of 1:2:4")
    func sharesFollowWeights() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let spinner = try await GuestsOnce.shared.elf("spinner")
      let modules = Self.weights.map { name, weight in
        BootModule(file: spinner, arguments: "name=\(name) memory=8M weight=\(weight) args=name=\(name) ms=2000")
      }
      var config = QEMUConfig(medium: .kernel(elf: elf, modules: modules))
      config.timeoutSeconds = 120
      let result = try await Harness.boot(config)
      #expect(result.guest == .success, Harness.describe(result))

      let iterations = Self.iterations(result)
      try #require(iterations.count == 3, "missing spinner results\n\(Harness.describe(result))")
      let total = iterations.values.reduce(0, +)
      let weightSum = Double(Self.weights.map(\.1).reduce(0, +))
      var table = "domain  weight  iterations     share   target   error\n"
      for (name, weight) in Self.weights {
        let share = iterations[name]! / total
        let target = Double(weight) / weightSum
        table += "\(name)       \(weight)    \(Int(iterations[name]!))   \(String(format: "%.3f", share))   \(String(format: "%.3f", target))   \(String(format: "%+.3f", share - target))\n"
        #expect(abs(share - target) <= Self.epsilon, "share of \(name) off by more than epsilon\n\(table)")
      }
      print(table)
    }

    @Test("a spinner capped at 25% next to an uncapped one gets 25%, with a 5 ms tick and 2-tick slice from the command line")
    func capHoldsWithConfiguredTimings() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let spinner = try await GuestsOnce.shared.elf("spinner")
      let modules = [
        BootModule(file: spinner, arguments: "name=a memory=8M cap=25 args=name=a ms=2000"),
        BootModule(file: spinner, arguments: "name=b memory=8M args=name=b ms=2000"),
      ]
      var config = QEMUConfig(medium: .kernel(elf: elf, modules: modules, commandLine: "sched-tick-ms=5 sched-slice=2"))
      config.timeoutSeconds = 120
      let result = try await Harness.boot(config)
      #expect(result.guest == .success, Harness.describe(result))
      #expect(result.transcript.contains("sched: credit scheduler, tick 5 ms, slice 2 ticks"), Harness.describe(result))
      let iterations = Self.iterations(result)
      try #require(iterations.count == 2, "missing spinner results\n\(Harness.describe(result))")
      let share = iterations["a"]! / (iterations["a"]! + iterations["b"]!)
      print("capped spinner: share \(String(format: "%.3f", share)) (cap 0.25)")
      #expect(abs(share - 0.25) <= Self.epsilon, "capped share \(share)")
    }

    /// Iterations each spinner reported (`spinner NAME: ... iterations=N`).
    static func iterations(_ result: BootResult) -> [String: Double] {
      var out: [String: Double] = [:]
      for line in result.lines {
        guard let r = line.range(of: "spinner "), let eq = line.range(of: "iterations=") else { continue }
        let name = String(line[r.upperBound...].prefix { $0 != ":" })
        let digits = line[eq.upperBound...].prefix { $0.isNumber }
        if let n = Double(digits) { out[name] = n }
      }
      return out
    }
  }
}
