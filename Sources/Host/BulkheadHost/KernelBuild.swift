// Owned by the kernel engineer: the recipe that turns Sources/Core + Sources/Kernel into out/bulkhead.elf.
import Foundation

/// Builds the Embedded Swift kernel image from the same `Sources/Core` files SwiftPM tests.
public struct KernelBuild: Sendable {
  /// Repository root (the folder holding Package.swift).
  public var root: URL
  /// Output folder, `out/` under the root by default.
  public var outDir: URL

  public init(root: URL, outDir: URL? = nil) {
    self.root = root
    self.outDir = outDir ?? root.appendingPathComponent("out")
  }

  /// The path of the kernel ELF this build produces.
  public var kernelELF: URL { outDir.appendingPathComponent("bulkhead.elf") }

  /// Runs the whole build; returns the kernel ELF path. Prints each step when `verbose`.
  public func build(verbose: Bool = false) throws -> URL {
    fatalError("KernelBuild.build: not yet written")
  }
}
