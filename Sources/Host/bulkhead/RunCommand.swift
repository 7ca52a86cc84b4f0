// `bulkhead run`: boot the kernel in QEMU (TCG), stream the serial console, exit with the guest's verdict.
import ArgumentParser
import BulkheadHost
import Foundation

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Boot the kernel under QEMU and exit with its status.",
    discussion: """
      Exit status: 0 when the guest reports success, 1 on failure, panic or QEMU error, 124 on timeout.
      The serial console goes to stdout; bulkhead's own messages go to stderr.
      """)

  @OptionGroup var location: LocationOptions
  @OptionGroup var machine: MachineOptions

  @Flag(help: "Boot a GRUB image from the CD drive (SeaBIOS) instead of QEMU's -kernel loader.")
  var iso = false

  @Flag(help: "Boot the GRUB image under UEFI (OVMF). Implies --iso.")
  var uefi = false

  @Option(help: "Kernel command line.")
  var append: String = ""

  @Option(name: .customLong("module"), help: "A multiboot module: \"path [args]\". Repeatable.")
  var modules: [String] = []

  @Flag(help: "Do not build; boot the existing out/bulkhead.elf.")
  var noBuild = false

  @Flag(name: .shortAndLong, help: "Do not stream the serial console.")
  var quiet = false

  func run() throws {
    let kb = try location.kernelBuild()
    let elf = try KernelProvider.kernel(kb, build: !noBuild, verbose: false)
    let bootModules = modules.map(BootModule.init(parsing:))

    let medium: BootMedium
    if iso || uefi {
      let builder = ISOBuilder(
        kernelELF: elf, output: kb.outDir.appendingPathComponent("bulkhead-run.iso"),
        modules: bootModules, commandLine: append,
        stagingDir: kb.outDir.appendingPathComponent("iso-root-run"))
      let image = try builder.build()
      medium = uefi ? .uefi(iso: image) : .cdrom(iso: image)
    } else {
      medium = .kernel(elf: elf, modules: bootModules, commandLine: append)
    }
    var config = QEMUConfig(medium: medium)
    try machine.apply(to: &config)

    let result = try QEMURunner(echoSerial: !quiet).run(config)
    if !result.qemuDiagnostics.isEmpty, result.guest != .success {
      note(result.qemuDiagnostics.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let first = result.timeToFirstSerialByte.map { ", first serial byte at \(seconds($0))" } ?? ""
    note("bulkhead: guest \(result.guest) (QEMU status \(result.qemuStatus)) after \(seconds(result.wallTime))\(first)")
    throw ExitCode(result.guest.cliExitCode)
  }
}
