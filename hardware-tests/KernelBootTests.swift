// The real kernel under QEMU TCG: boot, self-check, exceptions, timer. Skipped until the kernel exists.
//
// What these tests match (the kernel's log format, agreed with the kernel engineer):
//   [info] bulkhead: ...                          banner, first line
//   [info] selfcheck: core PASS (k checks)        one or more self-check lines
//   [info] timer: ... ticks=N  /  timer: N ticks  the tick counter, printed more than once
//   [info] bulkhead: exiting with success         last line before debug-exit 0x10
//   EXCEPTION #UD / #PF, RIP=..., CR2=...         the panic dump, then debug-exit 0x12
import BulkheadHost
import Foundation
import Testing

extension Hardware {
  @Suite("Kernel boots")
  struct KernelBoots {
    @Test("-kernel (multiboot1, qboot): banner, self-check PASS, exits with success")
    func bootsViaKernelLoader() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let result = try await Harness.boot(Harness.kernelConfig(elf))
      Self.expectCleanBoot(result)
    }

    @Test("GRUB image (multiboot2) from the CD drive under SeaBIOS boots the same way")
    func bootsFromGRUBImage() async throws {
      try Harness.requireTools([.qemu] + ToolCheck.forISO)
      let elf = try await Harness.kernel()
      let iso = try await Harness.iso(elf, name: "kernel")
      var config = QEMUConfig(medium: .cdrom(iso: iso))
      config.timeoutSeconds = Harness.bootTimeout
      let result = try await Harness.boot(config)
      Self.expectCleanBoot(result)
    }

    @Test("panic-test=ud2: a Swift trap is dumped as #UD with RIP and a symbol, then panic exit")
    func swiftTrapIsDumped() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let result = try await Harness.boot(Harness.kernelConfig(elf, commandLine: "panic-test=ud2"))
      #expect(result.guest == .panic, Harness.describe(result))
      #expect(result.transcript.contains("EXCEPTION #UD"), Harness.describe(result))
      #expect(result.transcript.contains("RIP="), Harness.describe(result))
      #expect(Self.hasSymbol(result.transcript), "no symbol name in the dump\n\(Harness.describe(result))")
    }

    @Test("panic-test=pf: a page fault is dumped with CR2, then panic exit")
    func pageFaultIsDumped() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let result = try await Harness.boot(Harness.kernelConfig(elf, commandLine: "panic-test=pf"))
      #expect(result.guest == .panic, Harness.describe(result))
      #expect(result.transcript.contains("EXCEPTION #PF"), Harness.describe(result))
      #expect(result.transcript.contains("CR2="), Harness.describe(result))
    }

    @Test("the timer tick count advances")
    func timerTicksAdvance() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let result = try await Harness.boot(Harness.kernelConfig(elf))
      let ticks = Self.tickCounts(result.lines)
      #expect(ticks.count >= 2, "fewer than two tick counts printed\n\(Harness.describe(result))")
      if let first = ticks.first, let last = ticks.last {
        #expect(last > first, "ticks did not advance: \(ticks)")
      }
      #expect(ticks == ticks.sorted(), "tick counts went backwards: \(ticks)")
    }

    @Test("with only 8 MiB of RAM the kernel refuses to start: clean failure exit, no exception, no hang")
    func tinyMemoryStopsInOrder() async throws {
      try Harness.requireTools([.qemu])
      let elf = try await Harness.kernel()
      let result = try await Harness.boot(Harness.kernelConfig(elf, memoryMiB: 8))
      #expect(result.guest == .failure, Harness.describe(result))
      #expect(!result.transcript.contains("EXCEPTION"), Harness.describe(result))
      #expect(result.transcript.contains("[error] mm:"), "no memory error line\n\(Harness.describe(result))")
    }

    // MARK: - Transcript checks

    /// The common expectations of a successful boot.
    static func expectCleanBoot(_ result: BootResult, sourceLocation: SourceLocation = #_sourceLocation) {
      let text = result.transcript
      #expect(result.guest == .success, Harness.describe(result), sourceLocation: sourceLocation)
      #expect(text.contains("[info] bulkhead:"), "no banner", sourceLocation: sourceLocation)
      #expect(text.contains("selfcheck:"), "no self-check lines", sourceLocation: sourceLocation)
      #expect(!text.contains("FAIL"), "a self-check failed\n\(text)", sourceLocation: sourceLocation)
      #expect(
        text.contains("[info] bulkhead: exiting with success"), "no success line", sourceLocation: sourceLocation)
    }

    /// Every tick count in the transcript, in order: `timer: N ticks` or `ticks=N`.
    static func tickCounts(_ lines: [String]) -> [Int] {
      lines.filter { $0.contains("timer:") }.compactMap { line in
        if let match = line.firstMatch(of: /ticks=(\d+)/) { return Int(match.1) }
        if let match = line.firstMatch(of: /(\d+) ticks/) { return Int(match.1) }
        return nil
      }
    }

    /// Whether the dump names a function: `name+0x1f`, `<name>` or `in name`, on or after a RIP= line.
    static func hasSymbol(_ transcript: String) -> Bool {
      guard let rip = transcript.range(of: "RIP=") else { return false }
      let dump = transcript[rip.lowerBound...]
      return dump.firstMatch(of: /[A-Za-z_$][\w$.]{2,}\+0x[0-9a-fA-F]+/) != nil
        || dump.firstMatch(of: /<[A-Za-z_$][^>\s]{2,}>/) != nil
        || dump.firstMatch(of: /\bin [A-Za-z_$][\w$.]{2,}/) != nil
    }
  }
}

@Suite("Transcript parsing")
struct TranscriptParsingTests {
  @Test("tick counts are read from both log forms")
  func tickParsing() {
    let lines = [
      "[info] timer: lapic calibrated 1000000 Hz ticks=0", "[info] timer: 5 ticks", "[info] mm: 3 frames free",
      "[info] timer: 12 ticks",
    ]
    #expect(Hardware.KernelBoots.tickCounts(lines) == [0, 5, 12])
  }

  @Test("a symbol is recognised in the exception dump")
  func symbolParsing() {
    #expect(Hardware.KernelBoots.hasSymbol("EXCEPTION #UD\nRIP=0xffff800000101234 kmain+0x34"))
    #expect(Hardware.KernelBoots.hasSymbol("RIP=0x101234 <$s8Bulkhead4mainyyF>"))
    #expect(!Hardware.KernelBoots.hasSymbol("RIP=0x101234 RSP=0x2000"))
  }
}
