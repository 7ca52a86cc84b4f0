// `bulkhead bench`: measurements. `boot` is the first; others (e.g. hypercall latency) go beside it.
import ArgumentParser
import BulkheadHost
import Foundation

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Measure things.", subcommands: [BenchBootCommand.self, BenchMMCommand.self, BenchSchedCommand.self, BenchGuestsCommand.self])
}

/// `bulkhead bench boot`: boot N times with qboot + -kernel, report medians.
struct BenchBootCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "boot", abstract: "Boot the kernel N times and report median boot times (host-measured).")

  @OptionGroup var location: LocationOptions
  @OptionGroup var machine: MachineOptions

  @Option(help: "Number of boots.")
  var runs: Int = 10

  @Option(help: "Kernel command line.")
  var append: String = ""

  @Flag(help: "Do not build; boot the existing out/bulkhead.elf.")
  var noBuild = false

  func run() throws {
    let kb = try location.kernelBuild()
    let elf = try KernelProvider.kernel(kb, build: !noBuild, verbose: false)
    var config = QEMUConfig(medium: .kernel(elf: elf, commandLine: append))
    try machine.apply(to: &config)
    let firmware = try config.resolvedFirmware()
    let report = try BootBenchmark(config: config, runs: runs).run { index, result in
      let first = result.timeToFirstSerialByte.map(seconds) ?? "-"
      note("run \(index + 1)/\(runs): \(result.guest), first byte \(first), exit \(seconds(result.wallTime))")
    }
    let firmwareName =
      switch firmware {
      case .qboot: "qboot"
      case .seaBIOS: "SeaBIOS"
      case .ovmf: "OVMF"
      }
    print("boot benchmark: \(report.runs) runs, \(firmwareName) + -kernel, TCG, \(config.memoryMiB) MiB")
    print("  image size:                \(report.imageBytes) bytes")
    print("  median first serial byte:  \(report.medianFirstSerialByte.map(seconds) ?? "none")")
    print("  median boot to exit:       \(seconds(report.medianWallTime))")
    print("  min / max boot to exit:    \(seconds(report.minWallTime)) / \(seconds(report.maxWallTime))")
    if report.failures > 0 {
      print("  failed boots:              \(report.failures)")
      throw ExitCode.failure
    }
  }
}
