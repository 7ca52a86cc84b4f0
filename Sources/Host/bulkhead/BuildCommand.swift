// `bulkhead build`: compile the Embedded Swift kernel to out/bulkhead.elf.
import ArgumentParser
import BulkheadHost

struct BuildCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "build", abstract: "Build the kernel ELF (out/bulkhead.elf).")

  @OptionGroup var location: LocationOptions

  @Flag(name: .shortAndLong, help: "Print each build step.")
  var verbose = false

  func run() throws {
    let kb = try location.kernelBuild()
    guard RepositoryRoot.hasKernelSources(kb.root) else {
      throw ValidationError("the kernel sources are not there yet (no Sources/Kernel/Arch/linker.ld)")
    }
    let elf = try kb.build(verbose: verbose)
    note("bulkhead: built \(elf.path)")
  }
}
