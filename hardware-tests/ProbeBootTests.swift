// The boot plumbing on its own: QEMURunner and ISOBuilder with a 100-byte probe kernel, so a runner or
// GRUB problem shows up here rather than as a mysterious kernel failure.
import BulkheadHost
import Foundation
import Testing

extension Hardware {
  @Suite("Probe kernel (plumbing)")
  struct ProbeBoots {
    static func probe(_ name: String, _ kernel: ProbeKernel = ProbeKernel()) throws -> URL {
      try kernel.write(to: Harness.scratch.appendingPathComponent("\(name).bin"))
    }

    @Test("qboot + -kernel: serial captured, debug-exit success decoded, first byte timed")
    func probeBootsWithQboot() async throws {
      try Harness.requireTools([.qemu])
      let elf = try Self.probe("probe-ok")
      let result = try await Harness.boot(Harness.kernelConfig(elf))
      #expect(result.guest == .success, Harness.describe(result))
      #expect(result.qemuStatus == 33)
      #expect(result.transcript.contains("probe: hello from multiboot"), Harness.describe(result))
      let first = try #require(result.timeToFirstSerialByte)
      #expect(first <= result.wallTime)
    }

    @Test("SeaBIOS + -kernel boots too")
    func probeBootsWithSeaBIOS() async throws {
      try Harness.requireTools([.qemu])
      let elf = try Self.probe("probe-ok")
      let result = try await Harness.boot(Harness.kernelConfig(elf, firmware: .seaBIOS))
      #expect(result.guest == .success, Harness.describe(result))
      #expect(!result.command.contains("-bios"))
    }

    @Test("panic and failure values are decoded")
    func probeVerdicts() async throws {
      try Harness.requireTools([.qemu])
      for (value, status) in [(GuestExit.panic, GuestStatus.panic), (GuestExit.failure, .failure)] {
        let elf = try Self.probe("probe-\(value)", ProbeKernel(exitValue: value))
        let result = try await Harness.boot(Harness.kernelConfig(elf))
        #expect(result.guest == status, Harness.describe(result))
      }
    }

    @Test("a guest that never exits is killed at the timeout")
    func probeTimeout() async throws {
      try Harness.requireTools([.qemu])
      let elf = try Self.probe("probe-hang", ProbeKernel(message: "probe: hanging", exitValue: nil))
      var config = Harness.kernelConfig(elf)
      config.timeoutSeconds = 2
      let result = try await Harness.boot(config)
      #expect(result.guest == .timedOut, Harness.describe(result))
      #expect(result.transcript.contains("probe: hanging"))
      #expect(result.wallTime < .seconds(10))
    }

    @Test("GRUB image (multiboot) boots under SeaBIOS from the CD drive")
    func probeBootsFromISO() async throws {
      try Harness.requireTools([.qemu] + ToolCheck.forISO)
      let elf = try Self.probe("probe-ok")
      let iso = try await Harness.iso(elf, name: "probe", bootProtocol: .multiboot1)
      var config = QEMUConfig(medium: .cdrom(iso: iso))
      config.timeoutSeconds = Harness.bootTimeout
      let result = try await Harness.boot(config)
      #expect(result.guest == .success, Harness.describe(result))
      #expect(result.transcript.contains("probe: hello from multiboot"), Harness.describe(result))
    }

    @Test("the same GRUB image boots under UEFI (OVMF)")
    func probeBootsFromISOUnderUEFI() async throws {
      try Harness.requireTools(ToolCheck.forUEFI)
      let elf = try Self.probe("probe-ok")
      let iso = try await Harness.iso(elf, name: "probe-uefi", bootProtocol: .multiboot1)
      var config = QEMUConfig(medium: .uefi(iso: iso))
      config.timeoutSeconds = Harness.bootTimeout
      let result = try await Harness.boot(config)
      #expect(result.guest == .success, Harness.describe(result))
    }
  }
}
