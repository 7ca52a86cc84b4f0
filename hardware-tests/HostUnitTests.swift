// Tests of the host library that start nothing: exit-status decoding, QEMU arguments, grub.cfg, tools.
import BulkheadHost
import Foundation
import Testing

@Suite("Host library (no QEMU)")
struct HostUnitTests {
  @Test("isa-debug-exit statuses decode to the guest's verdict")
  func guestExitDecoding() {
    #expect(GuestExit.qemuStatus(for: GuestExit.success) == 33)
    #expect(GuestExit.qemuStatus(for: GuestExit.failure) == 35)
    #expect(GuestExit.qemuStatus(for: GuestExit.panic) == 37)
    #expect(GuestStatus(qemuStatus: 33) == .success)
    #expect(GuestStatus(qemuStatus: 35) == .failure)
    #expect(GuestStatus(qemuStatus: 37) == .panic)
    #expect(GuestStatus(qemuStatus: 3) == .unknown(1))
    #expect(GuestStatus(qemuStatus: 0) == .noDebugExit)
    #expect(GuestStatus(qemuStatus: 1) == .qemuError(1))
    #expect(GuestStatus(qemuStatus: 2) == .qemuError(2))
    #expect(GuestStatus(qemuStatus: -9) == .qemuError(-9))
    #expect(GuestStatus(qemuStatus: 33, timedOut: true) == .timedOut)
  }

  @Test("bulkhead run maps success to 0, timeout to 124, anything else to 1")
  func cliExitCodes() {
    #expect(GuestStatus.success.cliExitCode == 0)
    #expect(GuestStatus.timedOut.cliExitCode == 124)
    for other: GuestStatus in [.failure, .panic, .unknown(7), .noDebugExit, .qemuError(1)] {
      #expect(other.cliExitCode == 1)
    }
  }

  @Test("every boot is TCG with SVM+NPT, no reboot, debug-exit, serial on stdio")
  func qemuArgumentsAreTCG() throws {
    var config = QEMUConfig(medium: .kernel(elf: URL(fileURLWithPath: "/k.elf"), commandLine: "a b"))
    config.memoryMiB = 128
    config.cpus = 2
    config.machine = .q35
    let args = try config.arguments(fileExists: { _ in true })
    let line = args.joined(separator: " ")
    #expect(line.contains("-accel tcg -cpu qemu64,+svm,+npt"))
    #expect(line.contains("-machine q35"))
    #expect(line.contains("-m 128M -smp 2"))
    #expect(line.contains("-serial stdio"))
    #expect(line.contains("-no-reboot"))
    #expect(line.contains("-device isa-debug-exit,iobase=0xf4,iosize=0x04"))
    #expect(line.contains("-bios \(FirmwarePaths.qboot)"))
    #expect(line.contains("-kernel /k.elf -append a b"))
    #expect(!line.contains("kvm"))
  }

  @Test("without qboot, -kernel boots use SeaBIOS; UEFI needs OVMF")
  func firmwareDefaults() throws {
    let kernel = QEMUConfig(medium: .kernel(elf: URL(fileURLWithPath: "/k")))
    #expect(try kernel.resolvedFirmware(fileExists: { _ in false }) == .seaBIOS)
    let cd = QEMUConfig(medium: .cdrom(iso: URL(fileURLWithPath: "/b.iso")))
    #expect(try cd.resolvedFirmware(fileExists: { _ in true }) == .seaBIOS)
    let uefi = QEMUConfig(medium: .uefi(iso: URL(fileURLWithPath: "/b.iso")))
    #expect(throws: QEMUConfigError.noOVMF) { try uefi.resolvedFirmware(fileExists: { _ in false }) }
    #expect(try uefi.arguments(fileExists: { _ in true }).joined(separator: " ").contains("-bios \(FirmwarePaths.ovmf)"))
  }

  @Test("modules become one -initrd list; a comma is refused")
  func modulesForInitrd() throws {
    let mods = [BootModule(parsing: "/m/dom0.elf console=hvc0 x"), BootModule(parsing: "/m/initrd")]
    #expect(mods[0].arguments == "console=hvc0 x")
    let config = QEMUConfig(medium: .kernel(elf: URL(fileURLWithPath: "/k"), modules: mods))
    let args = try config.arguments(fileExists: { _ in false })
    let i = try #require(args.firstIndex(of: "-initrd"))
    #expect(args[i + 1] == "/m/dom0.elf console=hvc0 x,/m/initrd")
    let bad = QEMUConfig(medium: .kernel(elf: URL(fileURLWithPath: "/k"), modules: [BootModule(parsing: "/m a,b")]))
    #expect(throws: QEMUConfigError.moduleHasComma("/m a,b")) { try bad.arguments(fileExists: { _ in false }) }
  }

  @Test("grub.cfg: serial console, no menu delay, multiboot2 entry with modules, selftest entry")
  func grubConfig() {
    let iso = ISOBuilder(
      kernelELF: URL(fileURLWithPath: "/k.elf"), output: URL(fileURLWithPath: "/o/b.iso"),
      modules: [BootModule(parsing: "/m/dom0.elf console=hvc0")], commandLine: "loglevel=2")
    let cfg = iso.grubConfig()
    for line in [
      "serial --unit=0 --speed=115200", "terminal_input serial console", "terminal_output serial console",
      "set timeout=0", "  multiboot2 /boot/bulkhead.elf loglevel=2", "  module2 /boot/modules/0-dom0.elf console=hvc0",
      "  multiboot2 /boot/bulkhead.elf selftest", "  boot",
    ] {
      #expect(cfg.split(separator: "\n").contains(Substring(line)), "missing: \(line)")
    }
  }

  @Test("a missing tool is one line that names the Debian package")
  func missingToolMessage() {
    let bare = ToolCheck(searchPath: ["/nowhere"], exists: { _ in false })
    for tool in Tool.allCases {
      #expect(throws: ToolCheckError.missing(tool)) { try bare.locate(tool) }
      let message = ToolCheckError.missing(tool).description
      #expect(!message.contains("\n"))
      #expect(message.contains("apt-get install \(tool.debianPackages.joined(separator: " "))"))
    }
    #expect(Tool.qemu.debianPackages == ["qemu-system-x86"])
    #expect(Tool.mformat.debianPackages == ["mtools"])
    #expect(Tool.ovmf.debianPackages == ["ovmf"])
  }

  @Test("median of boot timings")
  func median() {
    #expect(BootBenchmark.median([]) == nil)
    #expect(BootBenchmark.median([.seconds(3), .seconds(1), .seconds(2)]) == .seconds(2))
    #expect(BootBenchmark.median([.seconds(4), .seconds(1), .seconds(2), .seconds(3)]) == .milliseconds(2500))
  }

  @Test("the probe kernel carries a valid Multiboot 1 header")
  func probeHeader() {
    let bytes = ProbeKernel().bytes
    func word(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << ($1 * 8) } }
    #expect(word(0) == 0x1BAD_B002)
    #expect(word(0) &+ word(4) &+ word(8) == 0)
    #expect(word(28) == word(16) + 0x20)
  }
}
