// `bulkhead guest`: build an Embedded Swift PV guest, and boot it as dom0 on real Xen 4.17.
import ArgumentParser
import BulkheadHost
import Foundation

struct Guest: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "guest",
    abstract: "Build PV guests (Sources/Guests) and boot them on Xen.",
    subcommands: [Build.self, Xen.self])

  /// `bulkhead guest build NAME`: Sources/Guests/NAME + the SDK -> out/guests/NAME.elf.
  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "build", abstract: "Build a guest ELF (out/guests/NAME.elf).")

    @OptionGroup var location: LocationOptions

    @Argument(help: "The guest: a folder under Sources/Guests (e.g. hello).")
    var name: String

    @Flag(name: .shortAndLong, help: "Print each build step.")
    var verbose = false

    func run() throws {
      let build = GuestBuild(root: try location.repositoryRoot(), outDir: location.out.map { URL(fileURLWithPath: $0) })
      let elf = try build.build(guest: name, verbose: verbose)
      note("bulkhead: built \(elf.path)")
    }
  }

  /// `bulkhead guest xen NAME`: build the guest, boot it as dom0 on Debian's Xen 4.17 (TCG).
  struct Xen: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "xen",
      abstract: "Build a guest and boot it as dom0 on real Xen 4.17 under QEMU (TCG).",
      discussion: """
        Needs the Debian package xen-hypervisor-4.17-amd64. The guest gets `shutdown=reboot` on its \
        command line so that its shutdown resets the machine and QEMU exits (Xen halts forever on a \
        dom0 poweroff). Exit status: 0 when dom0 rebooted the machine, 1 otherwise, 124 on timeout.
        """)

    @OptionGroup var location: LocationOptions

    @Argument(help: "The guest: a folder under Sources/Guests (e.g. hello).")
    var name: String

    @Option(help: "dom0's command line.")
    var guestArgs: String = XenRunner.rebootOnExit

    @Option(help: "Seconds before QEMU is killed.")
    var timeout: Double = 60

    @Flag(name: .shortAndLong, help: "Do not stream the serial console.")
    var quiet = false

    func run() throws {
      let root = try location.repositoryRoot()
      let out = location.out.map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent("out")
      let elf = try GuestBuild(root: root, outDir: out).build(guest: name)
      var runner = XenRunner(outDir: out)
      runner.timeoutSeconds = timeout
      runner.echoSerial = !quiet
      let result = try runner.run(guest: elf, guestCommandLine: guestArgs)
      note("bulkhead: Xen \(result.xenVersion ?? "?"): \(result.dom0Shutdown ?? "dom0 did not shut down") "
        + "(QEMU status \(result.boot.qemuStatus)) after \(seconds(result.boot.wallTime))")
      if result.boot.timedOut { throw ExitCode(124) }
      if !result.rebootedCleanly { throw ExitCode(1) }
    }
  }
}
