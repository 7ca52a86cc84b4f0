// Shared plumbing for the hardware tests: find the checkout, build the kernel once, boot without
// blocking Swift's cooperative threads, and skip (not fail) when a tool or the kernel is not there yet.
import BulkheadHost
import Foundation
import Testing

/// Entry points every hardware test uses.
enum Harness {
  /// The checkout root: this file is `<root>/hardware-tests/Harness.swift`; `BULKHEAD_ROOT` overrides it.
  static let root =
    ProcessInfo.processInfo.environment["BULKHEAD_ROOT"].map { URL(fileURLWithPath: $0) }
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

  /// Scratch folder for probe images and ISOs, apart from `out/` so tests never clobber a user's build.
  static let scratch = root.appendingPathComponent(".build-host/hardware-tests")

  /// Default timeout for one boot under TCG.
  static let bootTimeout: Double = 60

  /// Skips the current test, naming the Debian package, when any of `tools` is missing.
  static func requireTools(_ tools: [Tool]) throws {
    do { try ToolCheck().require(tools) } catch { try Test.cancel("skipped: \(error.description)") }
  }

  /// The kernel ELF, built at most once per test process. Skips while the kernel does not exist yet;
  /// fails (throws) when the sources exist but the build breaks.
  static func kernel() async throws -> URL {
    switch await KernelOnce.shared.elf() {
    case .ready(let url): return url
    case .notYet(let why): try Test.cancel("skipped: \(why)")
    case .buildFailed(let why): throw HarnessError.kernelBuildFailed(why)
    }
  }

  /// Boots `config` on a plain thread (QEMURunner blocks) and returns the result.
  static func boot(_ config: QEMUConfig) async throws -> BootResult {
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread {
        continuation.resume(with: Result { try QEMURunner().run(config) })
      }
    }
  }

  /// A `-kernel` configuration with the test defaults.
  static func kernelConfig(
    _ elf: URL, commandLine: String = "", memoryMiB: Int = 256, firmware: Firmware? = nil
  ) -> QEMUConfig {
    var config = QEMUConfig(medium: .kernel(elf: elf, commandLine: commandLine))
    config.memoryMiB = memoryMiB
    config.firmware = firmware
    config.timeoutSeconds = bootTimeout
    return config
  }

  /// Builds a GRUB image for `elf` under the scratch folder (named `name`), off the cooperative pool.
  static func iso(
    _ elf: URL, name: String, bootProtocol: GRUBBootProtocol = .multiboot2, commandLine: String = ""
  ) async throws -> URL {
    let builder = ISOBuilder(
      kernelELF: elf, output: scratch.appendingPathComponent("\(name).iso"), commandLine: commandLine,
      bootProtocol: bootProtocol, stagingDir: scratch.appendingPathComponent("\(name)-root"))
    return try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread {
        continuation.resume(with: Result { try builder.build() })
      }
    }
  }

  /// A compact description of a boot, attached to failed expectations.
  static func describe(_ result: BootResult) -> Comment {
    """
    guest: \(result.guest) (QEMU status \(result.qemuStatus)), wall \(result.wallTime)
    command: \(result.command.joined(separator: " "))
    qemu stderr: \(result.qemuDiagnostics)
    --- transcript ---
    \(result.transcript)
    """
  }
}

/// Failures of the harness itself (not of the guest).
enum HarnessError: Error, CustomStringConvertible {
  /// The kernel sources exist but `KernelBuild.build` threw.
  case kernelBuildFailed(String)

  var description: String {
    switch self {
    case .kernelBuildFailed(let why): "kernel build failed: \(why)"
    }
  }
}

/// Whether a kernel can be had, and if not, why.
enum KernelAvailability: Sendable {
  case ready(URL)
  /// The kernel has not been written yet: skip.
  case notYet(String)
  /// It has been written and does not build: fail.
  case buildFailed(String)
}

/// Builds the kernel once per process, however many tests ask at once.
actor KernelOnce {
  static let shared = KernelOnce()
  private var outcome: Task<KernelAvailability, Never>?

  func elf() async -> KernelAvailability {
    if let outcome { return await outcome.value }
    let task = Task { await Self.build() }
    outcome = task
    return await task.value
  }

  /// The one build. Checks first that the kernel is real, because the interface stub `fatalError`s and
  /// would take the whole test process down.
  private static func build() async -> KernelAvailability {
    let root = Harness.root
    guard RepositoryRoot.hasKernelSources(root) else {
      return .notYet("the kernel is not written yet (no Sources/Kernel/Arch/linker.ld)")
    }
    let recipe = root.appendingPathComponent("Sources/Host/BulkheadHost/KernelBuild.swift")
    if let text = try? String(contentsOf: recipe, encoding: .utf8), text.contains("not yet written\")") {
      return .notYet("KernelBuild.build is still the interface stub")
    }
    return await withCheckedContinuation { continuation in
      Thread.detachNewThread {
        do {
          let build = KernelBuild(root: root, outDir: Harness.scratch.appendingPathComponent("kernel"))
          continuation.resume(returning: .ready(try build.build(verbose: false)))
        } catch {
          continuation.resume(returning: .buildFailed("\(error)"))
        }
      }
    }
  }
}

/// The suite every test that starts QEMU lives in: serialized, so at most one guest runs at a time
/// (two shared cores; timer tests and boot timings would suffer from parallel guests).
@Suite("Hardware (QEMU TCG)", .serialized)
enum Hardware {}
