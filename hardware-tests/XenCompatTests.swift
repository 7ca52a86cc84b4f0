// The guest side's reference: the `hello` guest (Sources/Guests/hello) boots as dom0 on the real
// Xen 4.17 from Debian, under QEMU TCG, and prints what it prints on Bulkhead. Skips when the
// xen-hypervisor-4.17-amd64 package is not installed.
import BulkheadHost
import Foundation
import Testing

extension Hardware {
  @Suite("Xen 4.17 compatibility (hello as dom0)")
  struct XenCompat {
    /// hello's output minus the lines whose values legitimately differ between hypervisors
    /// (`xen_version:`, `nr_pages:`). The Bulkhead boot test compares against the same list.
    static let helloLines = [
      "Hello from Bulkhead!",
      "guest: hello, Embedded Swift PV guest",
      "start_info: xen-3.0-x86_64",
      "sorted: [2, 3, 5, 7, 11, 13]",
      "letters: 10",
      "checksum: 0x0c3ee77b",
      "goodbye",
    ]

    /// Lines that name a value of the hypervisor or the domain, not of the guest.
    static func isHypervisorSpecific(_ line: String) -> Bool {
      line.hasPrefix("xen_version: ") || line.hasPrefix("nr_pages: ")
    }

    static let out = Harness.scratch.appendingPathComponent("xen-compat")

    /// Skips unless QEMU and Debian's Xen are installed; returns a runner with test defaults.
    static func runner(timeout: Double = 60) throws -> XenRunner {
      try Harness.requireTools([.qemu])
      var runner = XenRunner(outDir: out)
      runner.timeoutSeconds = timeout
      guard runner.isXenInstalled else {
        try Test.cancel(
          "skipped: Xen is not installed (no \(runner.compressedImage)); apt-get install \(XenRunner.debianPackage)")
      }
      return runner
    }

    /// A guest's ELF, built off the cooperative pool (the build blocks for ~20 s).
    static func guest(_ name: String) async throws -> URL {
      try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
          continuation.resume(with: Result { try GuestBuild(root: Harness.root, outDir: out).build(guest: name) })
        }
      }
    }

    static func hello() async throws -> URL { try await guest("hello") }

    static func boot(_ runner: XenRunner, _ elf: URL, _ commandLine: String) async throws -> XenBootResult {
      try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
          continuation.resume(with: Result { try runner.run(guest: elf, guestCommandLine: commandLine) })
        }
      }
    }

    @Test("hello prints its greeting on Xen 4.17 and its reboot makes QEMU exit")
    func helloOnXen() async throws {
      let runner = try Self.runner()
      let elf = try await Self.hello()
      let result = try await Self.boot(runner, elf, XenRunner.rebootOnExit)
      let why = Harness.describe(result.boot)

      #expect(result.xenVersion?.hasPrefix("4.17") == true, why)
      #expect(result.guestLines.filter { !Self.isHypervisorSpecific($0) } == Self.helloLines, why)
      #expect(result.guestLines.contains("xen_version: 4.17"), why)
      #expect(result.guestLines.contains("nr_pages: \(runner.dom0MemoryMiB * 256)"), why)
      #expect(result.dom0Shutdown == "Hardware Dom0 shutdown: rebooting machine", why)
      #expect(result.rebootedCleanly, why)
      // Measured: about 2.5-3 s of wall time under TCG on 2 shared cores.
      #expect(result.boot.wallTime < .seconds(30), why)
    }

    @Test("without shutdown=reboot, hello powers off and Xen halts the machine (QEMU keeps running)")
    func poweroffHaltsXen() async throws {
      let runner = try Self.runner(timeout: 12)
      let elf = try await Self.hello()
      let result = try await Self.boot(runner, elf, "")
      let why = Harness.describe(result.boot)

      #expect(result.guestLines.filter { !Self.isHypervisorSpecific($0) } == Self.helloLines, why)
      #expect(result.dom0Shutdown == "Hardware Dom0 halted: halting machine", why)
      #expect(result.boot.timedOut, why)
    }

    @Test("sdkcheck: every SDK wrapper works against Xen 4.17")
    func sdkcheckOnXen() async throws {
      let runner = try Self.runner()
      let elf = try await Self.guest("sdkcheck")
      let result = try await Self.boot(runner, elf, XenRunner.rebootOnExit)
      let why = Harness.describe(result.boot)
      let failures = result.guestLines.filter { $0.hasPrefix("FAIL") }
      #expect(failures.isEmpty, why)
      #expect(result.guestLines.contains("sdkcheck: 11/11 passed"), why)
      #expect(result.rebootedCleanly, why)
    }

    @Test("XenTranscript splits a transcript into Xen's lines and the guest's")
    func transcriptParsing() {
      let transcript = XenTranscript(
        """
        (XEN) Xen version 4.17.7 (Debian 4.17.7+13-g2445b30a44-0+deb12u1) (pkg) (gcc) debug=n\r
        (XEN) Freed 656kB init memory\r
        Hello from Bulkhead!\r
        goodbye\r
        (XEN) Hardware Dom0 shutdown: rebooting machine\r

        """)
      #expect(transcript.xenVersion == "4.17.7 (Debian 4.17.7+13-g2445b30a44-0+deb12u1)")
      #expect(transcript.guestLines == ["Hello from Bulkhead!", "goodbye"])
      #expect(transcript.dom0Shutdown == "Hardware Dom0 shutdown: rebooting machine")
    }
  }
}
