// The hardware self-test (`selftest`) on every QEMU configuration we can emulate: SeaBIOS and
// OVMF, i440fx (pc) and q35, 1, 2 and 4 CPUs. Each boot must print a complete result block
// with no FAILURE or ERROR, and the MADT must report the CPUs QEMU was given.
import BulkheadHost
import Foundation
import Testing

/// One parsed `selftest:` block.
struct SelfTestBlock {
  var verdicts: [String: String] = [:]
  var details: [String: String] = [:]
  var result: String?

  /// Lines, not the raw transcript: serial output ends lines with "\r\n", which Swift treats as
  /// one Character, so splitting the transcript on "\n" would not split it at all.
  init(_ lines: [String]) {
    for raw in lines {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      guard line.hasPrefix("selftest: ") else { continue }
      let rest = line.dropFirst("selftest: ".count)
      guard let colon = rest.firstIndex(of: ":") else { continue }
      let name = String(rest[..<colon])
      let after = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      let verdict = String(after.prefix { $0 != " " })
      if name == "result" { result = verdict; continue }
      verdicts[name] = verdict
      details[name] = String(after.dropFirst(verdict.count)).trimmingCharacters(in: .whitespaces)
    }
  }

  /// The tests every machine must run (feature tests may SKIP, these may not be missing).
  static let required = [
    "cpu.long_mode", "acpi.tables", "acpi.madt", "paging.user_supervisor", "paging.read_only",
    "paging.control", "timer.lapic", "ring3.roundtrip", "core.selfcheck",
  ]
}

extension Hardware {
  @Suite("Self-test matrix")
  struct SelfTestMatrix {
    enum Boot: String, CaseIterable, Sendable { case kernel, seaBIOS, uefi }

    struct Machine: Sendable, CustomStringConvertible {
      var boot: Boot
      var machine: BulkheadHost.Machine
      var cpus: Int
      var description: String { "\(boot.rawValue) \(machine) smp=\(cpus)" }
    }

    static let machines: [Machine] = [
      Machine(boot: .kernel, machine: .pc, cpus: 1),
      Machine(boot: .seaBIOS, machine: .pc, cpus: 1),
      Machine(boot: .seaBIOS, machine: .q35, cpus: 2),
      Machine(boot: .seaBIOS, machine: .pc, cpus: 4),
      Machine(boot: .uefi, machine: .q35, cpus: 1),
      Machine(boot: .uefi, machine: .pc, cpus: 2),
      Machine(boot: .uefi, machine: .q35, cpus: 4),
    ]

    @Test("selftest passes", arguments: machines)
    func selftestPasses(_ m: Machine) async throws {
      var tools: [Tool] = [.qemu]
      if m.boot != .kernel { tools += ToolCheck.forISO }
      if m.boot == .uefi { tools += ToolCheck.forUEFI }
      try Harness.requireTools(tools)
      let elf = try await Harness.kernel()
      var config: QEMUConfig
      switch m.boot {
      case .kernel:
        config = Harness.kernelConfig(elf, commandLine: "selftest")
      case .seaBIOS, .uefi:
        let iso = try await Harness.iso(elf, name: "selftest", commandLine: "selftest")
        config = QEMUConfig(medium: m.boot == .uefi ? .uefi(iso: iso) : .cdrom(iso: iso))
        config.timeoutSeconds = 120
      }
      config.machine = m.machine
      config.cpus = m.cpus
      let result = try await Harness.boot(config)
      let block = SelfTestBlock(result.lines)
      #expect(result.guest == .success, Harness.describe(result))
      #expect(block.result == "SUCCESS", Harness.describe(result))
      for name in SelfTestBlock.required {
        #expect(block.verdicts[name] != nil, "\(name) missing on \(m)")
      }
      for (name, verdict) in block.verdicts {
        #expect(verdict == "SUCCESS" || verdict == "SKIP", "\(name): \(verdict) \(block.details[name] ?? "") on \(m)")
      }
      #expect(block.details["acpi.madt"]?.hasPrefix("\(m.cpus) CPUs") == true,
              "MADT should list \(m.cpus) CPUs: \(block.details["acpi.madt"] ?? "none")")
      #expect(block.verdicts["cpu.svm"] == "SUCCESS", "QEMU is started with +svm")
    }
  }

  @Suite("Bad boot input")
  struct BadBootInput {
    @Test("a corrupt Multiboot2 block is refused with a reason and a failing exit")
    func corruptBootInfo() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let result = try await Harness.boot(Harness.kernelConfig(elf, commandLine: "panic-test=boot-info"))
      #expect(result.guest == .failure, Harness.describe(result))
      #expect(result.transcript.contains("boot: refusing the boot information"), Harness.describe(result))
      #expect(!result.transcript.contains("EXCEPTION"), Harness.describe(result))
    }

    @Test("a guest module that is not a PV kernel is refused with a reason")
    func badGuestImage() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      // The kernel image itself is an ELF64 without Xen notes: not a PV guest.
      var config = QEMUConfig(medium: .kernel(elf: elf, modules: [BootModule(file: elf, arguments: "name=notpv")]))
      config.timeoutSeconds = Harness.bootTimeout
      let result = try await Harness.boot(config)
      #expect(result.guest == .failure, Harness.describe(result))
      #expect(result.transcript.contains("domain notpv: cannot build"), Harness.describe(result))
    }
  }
}
