// `bulkhead bench guests`: the in-guest microbenchmarks (Sources/Guests/bench) on Bulkhead and on
// Debian's Xen 4.17, side by side, with the Bulkhead/Xen ratio per benchmark.
import ArgumentParser
import BulkheadHost
import Foundation

struct BenchGuestsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "guests",
    abstract: "Run the bench guest on Bulkhead and on Xen 4.17 (TCG) and compare.",
    discussion: """
      Builds the kernel and out/guests/bench.elf, boots the guest as the only domain of Bulkhead \
      and as dom0 of Xen 4.17 (xen-hypervisor-4.17-amd64; skipped with a note if missing), and prints \
      one row per benchmark: nanoseconds per operation on each (the guest's rdtsc, scaled with \
      the hypervisor's own TSC calibration; median of --runs runs) and the ratio. Both run under \
      the same QEMU TCG, so the ratio is meaningful; the absolute numbers are not hardware numbers.
      """)

  @OptionGroup var location: LocationOptions

  @Option(help: "Runs per benchmark inside the guest (the median is reported).")
  var runs: Int = 9

  @Option(help: "Seconds before a boot is killed.")
  var timeout: Double = 120

  @Flag(help: "Do not build the kernel; boot the existing out/bulkhead.elf.")
  var noBuild = false

  /// One benchmark line: `bench: NAME cycles=C ns=N`.
  struct Row {
    var name: String
    var cycles: UInt64
    var ns: UInt64
  }

  /// The benchmark rows in a transcript (guest lines may carry a `[name] ` prefix).
  static func parse(_ transcript: String) -> [Row] {
    var rows: [Row] = []
    for raw in transcript.split(whereSeparator: { $0.isNewline }) {
      guard let r = raw.range(of: "bench: ") else { continue }
      let fields = raw[r.upperBound...].split(separator: " ")
      guard fields.count == 3, fields[1].hasPrefix("cycles="), fields[2].hasPrefix("ns="),
        let c = UInt64(fields[1].dropFirst(7)), let n = UInt64(fields[2].dropFirst(3))
      else { continue }
      rows.append(Row(name: String(fields[0]), cycles: c, ns: n))
    }
    return rows
  }

  func run() throws {
    let root = try location.repositoryRoot()
    let out = location.out.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("out")
    let guest = try GuestBuild(root: root, outDir: out).build(guest: "bench")
    let kernel = try KernelProvider.kernel(try location.kernelBuild(), build: !noBuild, verbose: false)
    let args = "runs=\(runs)"

    var config = QEMUConfig(
      medium: .kernel(elf: kernel, modules: [BootModule(file: guest, arguments: "name=bench memory=16M args=\(args)")]))
    config.timeoutSeconds = timeout
    note("bench guests: Bulkhead ...")
    let bulkheadBoot = try QEMURunner().run(config)
    let bulkhead = Self.parse(bulkheadBoot.transcript)
    guard bulkheadBoot.guest == .success, !bulkhead.isEmpty else {
      note("bench guests: the Bulkhead run failed (\(bulkheadBoot.guest))\n\(bulkheadBoot.transcript)")
      throw ExitCode.failure
    }

    var xen: [Row] = []
    var runner = XenRunner(outDir: out)
    runner.timeoutSeconds = timeout
    if runner.isXenInstalled {
      note("bench guests: Xen 4.17 ...")
      let result = try runner.run(guest: guest, guestCommandLine: "\(XenRunner.rebootOnExit) \(args)")
      xen = Self.parse(result.boot.transcript)
      if !result.rebootedCleanly || xen.isEmpty { note("bench guests: the Xen run failed; Bulkhead only") }
    } else {
      note("bench guests: Xen is not installed (apt-get install \(XenRunner.debianPackage)); Bulkhead only")
    }

    print("guest microbenchmarks (ns per operation, median of \(runs) runs, QEMU TCG)")
    print(pad("benchmark", 22) + pad("Bulkhead", 12, right: true) + pad("Xen 4.17", 12, right: true) + pad("ratio", 9, right: true))
    for b in bulkhead {
      let x = xen.first { $0.name == b.name }
      let ratio = x.map { String(format: "%.2f", Double(b.ns) / Double(max($0.ns, 1))) } ?? "-"
      print(pad(b.name, 22) + pad("\(b.ns)", 12, right: true) + pad(x.map { "\($0.ns)" } ?? "-", 12, right: true)
        + pad(ratio, 9, right: true))
    }
  }

  private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return right ? fill + s : s + fill
  }
}
