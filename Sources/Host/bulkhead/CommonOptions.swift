// Options and helpers several subcommands share: where the checkout is, and how to get a kernel.
import ArgumentParser
import BulkheadHost
import Foundation

/// `--root` and `--out`: the checkout and its output folder.
struct LocationOptions: ParsableArguments {
  @Option(help: "Repository root (default: found by searching up from the current folder).")
  var root: String?

  @Option(help: "Output folder (default: <root>/out).")
  var out: String?

  /// The repository root, or a validation error when not inside a checkout.
  func repositoryRoot() throws -> URL {
    if let root { return URL(fileURLWithPath: root) }
    guard let found = RepositoryRoot.find() else {
      throw ValidationError("not inside a Bulkhead checkout (no Package.swift with Sources/Kernel); use --root")
    }
    return found
  }

  /// The kernel build for this checkout.
  func kernelBuild() throws -> KernelBuild {
    KernelBuild(root: try repositoryRoot(), outDir: out.map { URL(fileURLWithPath: $0) })
  }
}

/// `--memory`, `--smp`, `--machine`, `--timeout`: the virtual machine.
struct MachineOptions: ParsableArguments {
  @Option(help: "Guest RAM: a number of MiB, or with an M or G suffix.")
  var memory: String = "256M"

  @Option(help: "Number of virtual CPUs.")
  var smp: Int = 1

  @Option(help: "Machine type: pc or q35.")
  var machine: Machine = .pc

  @Option(help: "Seconds before QEMU is killed.")
  var timeout: Double = 60

  /// `--memory` in MiB.
  func memoryMiB() throws -> Int {
    let text = memory.uppercased()
    let (digits, scale) =
      text.hasSuffix("G") ? (text.dropLast(), 1024) : text.hasSuffix("M") ? (text.dropLast(), 1) : (text[...], 1)
    guard let n = Int(digits), n > 0 else { throw ValidationError("--memory: expected e.g. 256, 256M or 1G") }
    return n * scale
  }

  /// Applies these options to `config`.
  func apply(to config: inout QEMUConfig) throws {
    config.memoryMiB = try memoryMiB()
    config.cpus = smp
    config.machine = machine
    config.timeoutSeconds = timeout
  }
}

extension Machine: ExpressibleByArgument {}

/// Builds the kernel when asked to, refusing politely while the kernel sources are not there yet.
enum KernelProvider {
  /// Returns the kernel ELF: built when `build` is true and it is stale, else it must exist.
  static func kernel(_ kb: KernelBuild, build: Bool, verbose: Bool) throws -> URL {
    if build {
      guard RepositoryRoot.hasKernelSources(kb.root) else {
        throw ValidationError("the kernel sources are not there yet (no Sources/Kernel/Arch/linker.ld)")
      }
      if KernelFreshness.needsBuild(root: kb.root, elf: kb.kernelELF) {
        return try kb.build(verbose: verbose)
      }
    }
    guard FileManager.default.fileExists(atPath: kb.kernelELF.path) else {
      throw ValidationError("no kernel at \(kb.kernelELF.path); run `bulkhead build` first")
    }
    return kb.kernelELF
  }
}

/// Prints a line on stderr, so it never mixes with the guest's serial stream on stdout.
func note(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Formats a duration as seconds with milliseconds.
func seconds(_ d: Duration) -> String {
  String(format: "%.3f s", d.milliseconds / 1000)
}
