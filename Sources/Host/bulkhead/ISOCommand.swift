// `bulkhead iso`: package the kernel as a GRUB image (hybrid: CD or USB, BIOS or UEFI).
import ArgumentParser
import BulkheadHost
import Foundation

struct ISOCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "iso",
    abstract: "Build out/bulkhead.iso (and the same bytes as out/bulkhead.img for USB sticks).",
    discussion: """
      The image is a grub-mkrescue hybrid: burn it, or write it to a USB stick with
        dd if=out/bulkhead.img of=/dev/sdX bs=4M conv=fsync
      It boots under BIOS, and under UEFI when grub-efi-amd64-bin is installed.
      """)

  @OptionGroup var location: LocationOptions

  @Option(help: "Kernel command line of the default entry.")
  var append: String = ""

  @Option(name: .customLong("module"), help: "A multiboot module: \"path [args]\". Repeatable.")
  var modules: [String] = []

  @Flag(help: "Do not build; package the existing out/bulkhead.elf.")
  var noBuild = false

  func run() throws {
    let kb = try location.kernelBuild()
    let elf = try KernelProvider.kernel(kb, build: !noBuild, verbose: false)
    var builder = ISOBuilder(
      kernelELF: elf, output: kb.outDir.appendingPathComponent("bulkhead.iso"),
      modules: modules.map(BootModule.init(parsing:)), commandLine: append)
    builder.usbImage = kb.outDir.appendingPathComponent("bulkhead.img")
    let image = try builder.build()
    note("bulkhead: wrote \(image.path) (\(builder.bootsUEFI ? "BIOS + UEFI" : "BIOS only")) and \(builder.usbImage?.path ?? "")")
  }
}
