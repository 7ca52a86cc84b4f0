import BulkheadSpec
import PropertyBased
import Testing

/// Random operation sequences: every invariant holds after every accepted step, every
/// transition property holds for every step, and refusals change nothing.
@Suite struct InvariantPropertyTests {
  /// Runs `steps` generated operations from `start`; returns per-kind (accepted, total) counts
  /// and every violation found.
  static func run(seed: UInt64, steps: Int, from start: SpecState, check: Bool = true) -> (stats: [String: (Int, Int)], violations: [String]) {
    var gen = OpGenerator(seed: seed)
    var s = start
    var stats: [String: (Int, Int)] = [:]
    var violations: [String] = []
    for step in 0..<steps {
      let op = gen.next(s)
      let (accepted, next) = op.apply(s)
      stats[op.kind, default: (0, 0)].1 += 1
      if accepted { stats[op.kind, default: (0, 0)].0 += 1 }
      for p in allTransitionProperties where check {
        violations += p.check(s, next, accepted).map { "seed \(seed) step \(step) \(op.kind): \($0)" }
      }
      if accepted && check {
        violations += checkAllInvariants(next).map { "seed \(seed) step \(step) \(op.kind): \($0)" }
      }
      s = next
      if violations.count > 5 { break }
    }
    return (stats, violations)
  }

  @Test func invariantsHoldFromTheStandardScenario() async {
    let start = Scenario.standard().state
    await propertyCheck(count: 25, input: Gen.uint64(in: 0...UInt64.max)) { seed in
      let r = Self.run(seed: seed, steps: 150, from: start)
      #expect(r.violations == [])
      // The run did something: a good part of the steps were accepted.
      #expect(r.stats.values.reduce(0) { $0 + $1.0 } >= 15)
    }
  }

  @Test func invariantsHoldFromBoot() async {
    var config = SpecConfig()
    config.pcpus = 2
    let start = SpecState(config: config)
    await propertyCheck(count: 15, input: Gen.uint64(in: 0...UInt64.max)) { seed in
      let r = Self.run(seed: seed, steps: 150, from: start)
      #expect(r.violations == [])
      // The run did something: a good part of the steps were accepted.
      #expect(r.stats.values.reduce(0) { $0 + $1.0 } >= 15)
    }
  }

  /// The generator must really exercise the model: every kind of operation is both accepted
  /// and refused somewhere, or the property tests above prove little.
  @Test func generatorReachesAcceptedAndRefusedCases() {
    var total: [String: (Int, Int)] = [:]
    for seed in UInt64(1)...40 {
      for (k, v) in Self.run(seed: seed, steps: 150, from: Scenario.standard().state, check: false).stats {
        total[k, default: (0, 0)].0 += v.0
        total[k, default: (0, 0)].1 += v.1
      }
    }
    let alwaysAccepted: Set = ["tick", "account", "raiseVirq"]
    for (kind, (accepted, all)) in total.sorted(by: { $0.key < $1.key }) {
      #expect(accepted > 0, "\(kind) never accepted")
      if !alwaysAccepted.contains(kind) { #expect(accepted < all, "\(kind) never refused") }
    }
    print("generator accepted/total:", total.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" })
  }
}
