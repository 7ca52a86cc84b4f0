// The guests of the "PV domains" issue, booted as Bulkhead domains under QEMU TCG: hello (against
// the Xen reference lines), hello + pingpong side by side (the demo), spinner, pagetables,
// attacker, fuzzer, sdkcheck, and a crashing domain next to healthy ones. Each test checks the
// transcript AND the exit status (33 = every domain powered off; 35 = a domain crashed or did
// not power off). Skips when QEMU is missing or the kernel does not exist yet.
import BulkheadHost
import Foundation
import Testing

/// Builds each guest at most once per test process, into the hardware-test scratch folder.
actor GuestsOnce {
  static let shared = GuestsOnce()
  private var builds: [String: Task<Result<URL, Error>, Never>] = [:]

  func elf(_ name: String) async throws -> URL {
    if let task = builds[name] { return try await task.value.get() }
    let task = Task<Result<URL, Error>, Never> {
      await withCheckedContinuation { continuation in
        Thread.detachNewThread {
          continuation.resume(
            returning: Result { try GuestBuild(root: Harness.root, outDir: GuestBoot.out).build(guest: name) })
        }
      }
    }
    builds[name] = task
    return try await task.value.get()
  }
}

/// One Bulkhead boot with guest domains, and its transcript split per domain.
struct GuestBoot {
  static let out = Harness.scratch.appendingPathComponent("guests")

  /// A domain: guest name (Sources/Guests/<guest>) and the rest of its module string.
  struct Domain {
    var guest: String
    var options: String
  }

  var result: BootResult

  /// Builds the kernel and the guests, boots them (module order = domain id), waits.
  /// `BULKHEAD_TEST_KERNEL=path` boots that kernel ELF instead of building the checkout's (to
  /// test guests against a known-good kernel while the kernel is being changed).
  static func run(_ domains: [Domain], timeout: Double = 90, commandLine: String = "") async throws -> GuestBoot {
    try Harness.requireTools([.qemu])
    let kernel =
      if let path = ProcessInfo.processInfo.environment["BULKHEAD_TEST_KERNEL"] {
        URL(fileURLWithPath: path)
      } else {
        try await Harness.kernel()
      }
    var modules: [BootModule] = []
    for d in domains {
      modules.append(BootModule(file: try await GuestsOnce.shared.elf(d.guest), arguments: d.options))
    }
    var config = QEMUConfig(medium: .kernel(elf: kernel, modules: modules, commandLine: commandLine))
    config.memoryMiB = 256
    config.timeoutSeconds = timeout
    return GuestBoot(result: try await Harness.boot(config))
  }

  /// The lines domain `name` printed, without the `[name] ` prefix.
  func lines(of name: String) -> [String] {
    let prefix = "[\(name)] "
    return result.lines.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
  }

  /// Whether the hypervisor printed `line` (exactly, after trimming).
  func has(_ line: String) -> Bool { result.lines.contains { $0.trimmingCharacters(in: .whitespaces) == line } }

  /// Whether any line contains `text`.
  func mentions(_ text: String) -> Bool { result.lines.contains { $0.contains(text) } }

  static let allPoweredOff = "[info] bulkhead: all domains powered off; exiting with success"

  func poweredOff(_ name: String) -> Bool { has("[info] domain \(name): shutdown (poweroff)") }

  var why: Comment { Harness.describe(result) }
}

extension Hardware {
  @Suite("Guests on Bulkhead")
  struct Guests {
    typealias D = GuestBoot.Domain

    @Test("hello prints on Bulkhead what it prints on Xen 4.17, then powers off (status 33)")
    func hello() async throws {
      let boot = try await GuestBoot.run([D(guest: "hello", options: "name=hello memory=16M")])
      let lines = boot.lines(of: "hello")
      #expect(lines.filter { !XenCompat.isHypervisorSpecific($0) } == XenCompat.helloLines, boot.why)
      #expect(lines.contains("xen_version: 4.17"), boot.why)
      #expect(lines.contains("nr_pages: 4096"), boot.why)
      #expect(boot.poweredOff("hello"), boot.why)
      #expect(boot.has(GuestBoot.allPoweredOff), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("the demo: hello and a ping/pong pair side by side; 1000 messages checked byte by byte")
    func helloAndPingPong() async throws {
      let boot = try await GuestBoot.run([
        D(guest: "hello", options: "name=hello memory=16M"),
        D(guest: "pingpong", options: "name=ping memory=16M args=role=ping peer=2 count=1000"),
        D(guest: "pingpong", options: "name=pong memory=16M args=role=pong peer=1 count=1000"),
      ])
      #expect(boot.lines(of: "hello").last == "goodbye", boot.why)
      #expect(boot.lines(of: "ping").contains("pingpong: 1000 messages ok"), boot.why)
      #expect(boot.lines(of: "pong").contains("pingpong: 1000 messages ok"), boot.why)
      #expect(!boot.mentions("FAIL"), boot.why)
      for name in ["hello", "ping", "pong"] { #expect(boot.poweredOff(name), boot.why) }
      #expect(boot.has(GuestBoot.allPoweredOff), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("pingpong: pong started first (as dom0) retries bind until ping's port exists")
    func pongFirst() async throws {
      let boot = try await GuestBoot.run([
        D(guest: "pingpong", options: "name=pong memory=16M args=role=pong peer=1 count=300"),
        D(guest: "pingpong", options: "name=ping memory=16M args=role=ping peer=0 count=300"),
      ])
      #expect(boot.lines(of: "ping").contains("pingpong: 300 messages ok"), boot.why)
      #expect(boot.lines(of: "pong").contains("pingpong: 300 messages ok"), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("three spinners count iterations for a fixed time and power off")
    func spinners() async throws {
      let boot = try await GuestBoot.run(
        [("a", 256), ("b", 512), ("c", 1024)].map { name, weight in
          D(guest: "spinner", options: "name=\(name) memory=16M weight=\(weight) args=name=\(name) ms=500")
        })
      for name in ["a", "b", "c"] {
        let line = boot.lines(of: name).first { $0.hasPrefix("spinner \(name): iterations=") }
        #expect(line != nil, boot.why)
        #expect(boot.poweredOff(name), boot.why)
      }
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("sdkcheck passes 11/11 on Bulkhead")
    func sdkcheck() async throws {
      let boot = try await GuestBoot.run([D(guest: "sdkcheck", options: "name=sdk memory=16M")])
      let lines = boot.lines(of: "sdk")
      #expect(lines.filter { $0.hasPrefix("FAIL") }.isEmpty, boot.why)
      #expect(lines.contains("sdkcheck: 11/11 passed"), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("pagetables: a second address space built, pinned and entered (switching back: kernel bug 1)")
    func pagetables() async throws {
      let boot = try await GuestBoot.run([D(guest: "pagetables", options: "name=pt memory=16M")])
      let lines = boot.lines(of: "pt")
      for step in [
        "decrease_reservation of 5 unused frames", "populate_physmap of 5 frames",
        "mmu_update writes L4', L3', L2', L1' (6 entries, one batch)", "pin L4' (validates L3', L2', L1')",
        "new_baseptr to L4'", "read D through the new mapping at 0x8000000000",
        "write through the read-only alias faults (#PF)",
      ] {
        #expect(lines.contains("pagetables: \(step) ok"), boot.why)
      }
      // docs/decisions/notes-kernel-bugs.md #1 (fixed): switching back to the boot L4 works.
      #expect(lines.contains("pagetables: 14/14 steps ok"), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("attacker (two, trading grants) next to a ping/pong pair: every attack refused, all power off")
    func attackers() async throws {
      let boot = try await GuestBoot.run([
        D(guest: "pingpong", options: "name=ping memory=16M args=role=ping peer=1 count=1000"),
        D(guest: "pingpong", options: "name=pong memory=16M args=role=pong peer=0 count=1000"),
        D(guest: "attacker", options: "name=attackerA memory=16M args=domid=2 peer=0 partner=3"),
        D(guest: "attacker", options: "name=attackerB memory=16M args=domid=3 peer=0 partner=2"),
      ], timeout: 180)
      for name in ["attackerA", "attackerB"] {
        let lines = boot.lines(of: name)
        let attacks = lines.filter { $0.hasPrefix("attack ") }
        #expect(attacks.count >= 200, boot.why)
        #expect(attacks.allSatisfy { $0.contains(": refused (") }, boot.why)
        #expect(!lines.contains { $0.contains("BREACH") }, boot.why)
        #expect(lines.contains("attacker: \(attacks.count)/\(attacks.count) refused"), boot.why)
        #expect(lines.contains { $0.hasPrefix("attacker: 4 foreign frames") }, boot.why)
        #expect(lines.contains("attack xsa224GrantDoubleUnmap: refused (GNTST -4)"), boot.why)
        #expect(boot.poweredOff(name), boot.why)
      }
      #expect(boot.lines(of: "ping").contains("pingpong: 1000 messages ok"), boot.why)
      #expect(boot.lines(of: "pong").contains("pingpong: 1000 messages ok"), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("a crashing domain is reported and ended; the others still finish (status 35)")
    func crashingDomain() async throws {
      let boot = try await GuestBoot.run([
        D(guest: "hello", options: "name=hello memory=16M"),
        D(guest: "attacker", options: "name=crasher memory=16M args=mode=crash"),
        D(guest: "pingpong", options: "name=ping memory=16M args=role=ping peer=3 count=500"),
        D(guest: "pingpong", options: "name=pong memory=16M args=role=pong peer=2 count=500"),
      ])
      #expect(boot.result.lines.contains { $0.hasPrefix("[warn] domain crasher: unhandled #PF") && $0.hasSuffix("domain crashed") }, boot.why)
      #expect(!boot.lines(of: "crasher").contains { $0.contains("still alive") }, boot.why)
      #expect(boot.lines(of: "hello").last == "goodbye", boot.why)
      #expect(boot.lines(of: "ping").contains("pingpong: 500 messages ok"), boot.why)
      #expect(boot.lines(of: "pong").contains("pingpong: 500 messages ok"), boot.why)
      for name in ["hello", "ping", "pong"] { #expect(boot.poweredOff(name), boot.why) }
      #expect(!boot.has(GuestBoot.allPoweredOff), boot.why)
      #expect(boot.result.guest == .failure, boot.why)
    }

    @Test("pagetables on Xen 4.17: all 14 steps, including switching back and tearing down")
    func pagetablesOnXen() async throws {
      let runner = try XenCompat.runner()
      let elf = try await GuestsOnce.shared.elf("pagetables")
      let result = try await XenCompat.boot(runner, elf, XenRunner.rebootOnExit)
      let why = Harness.describe(result.boot)
      #expect(result.guestLines.contains("pagetables: 14/14 steps ok"), why)
      #expect(result.rebootedCleanly, why)
    }

    @Test("fuzzer: 100,000 seeded random hypercalls next to a ping/pong pair; the hypervisor stays up and every core invariant holds")
    func fuzzer() async throws {
      // check-invariants: the debug kernel re-checks every core invariant every 2,000 hypercalls
      // (this pairing found notes-kernel-bugs.md #5, now fixed).
      let boot = try await GuestBoot.run([
        D(guest: "fuzzer", options: "name=fuzzer memory=16M args=seed=7 count=100000"),
        D(guest: "pingpong", options: "name=ping memory=16M args=role=ping peer=2 count=2000"),
        D(guest: "pingpong", options: "name=pong memory=16M args=role=pong peer=1 count=2000"),
      ], timeout: 300, commandLine: "check-invariants=2000")
      #expect(boot.result.lines.contains { $0.contains("invariant checks over") && $0.hasSuffix("all held") }, boot.why)
      let lines = boot.lines(of: "fuzzer")
      #expect(lines.contains("fuzzer: 100000 hypercalls, hypervisor alive (xen_version 4.17)"), boot.why)
      #expect(lines.filter { $0.hasSuffix("succeeded") }.count == 10, boot.why)
      #expect(boot.lines(of: "ping").contains("pingpong: 2000 messages ok"), boot.why)
      #expect(boot.lines(of: "pong").contains("pingpong: 2000 messages ok"), boot.why)
      #expect(!boot.mentions("[fatal]"), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("fuzzer alone under check-invariants: every core invariant holds over 100,000 hypercalls")
    func fuzzerKeepsInvariants() async throws {
      let boot = try await GuestBoot.run(
        [D(guest: "fuzzer", options: "name=fuzzer memory=16M args=seed=1 count=100000")],
        timeout: 300, commandLine: "check-invariants=2000")
      #expect(boot.lines(of: "fuzzer").contains("fuzzer: 100000 hypercalls, hypervisor alive (xen_version 4.17)"), boot.why)
      #expect(boot.result.lines.contains { $0.contains("invariant checks over") && $0.hasSuffix("all held") }, boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }

    @Test("pin an L4, then unpin it: the hypervisor stays up (kernel bug 3, fixed)")
    func pinUnpinL4() async throws {
      let boot = try await GuestBoot.run(
        [D(guest: "attacker", options: "name=repro memory=16M args=mode=unpin-l4")], commandLine: "check-invariants=1")
      #expect(!boot.mentions("[fatal]"), boot.why)
      #expect(boot.result.guest == .success, boot.why)
    }
  }
}
