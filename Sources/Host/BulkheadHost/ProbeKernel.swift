// A tiny hand-assembled Multiboot 1 kernel that checks the boot plumbing without the real kernel.
import Foundation

/// A flat Multiboot 1 image (a.out kludge, loaded at 1 MiB) that prints one line on COM1 and then
/// writes a chosen value to the debug-exit port. About 100 bytes; QEMU `-kernel` and GRUB's
/// `multiboot` both load it. Used by hardware-tests to check QEMURunner and ISOBuilder on their own.
public struct ProbeKernel: Sendable {
  /// The line printed on the serial port (ASCII; a newline is added).
  public var message: String
  /// The byte written to port 0xf4 afterwards; `nil` halts forever instead (for timeout tests).
  public var exitValue: UInt8?

  public init(message: String = "probe: hello from multiboot", exitValue: UInt8? = GuestExit.success) {
    self.message = message
    self.exitValue = exitValue
  }

  /// Load (and header) address: 1 MiB.
  static let loadAddress: UInt32 = 0x10_0000

  /// The image bytes.
  ///
  ///     offset  field (Multiboot 1 header, all little-endian u32)
  ///     0x00    magic        0x1BADB002
  ///     0x04    flags        0x00010000   bit 16: the address fields below are valid (a.out kludge)
  ///     0x08    checksum     -(magic + flags)
  ///     0x0c    header_addr  load address (header is at offset 0)
  ///     0x10    load_addr    load address
  ///     0x14    load_end     0 = load the whole file
  ///     0x18    bss_end      0 = no bss
  ///     0x1c    entry        load address + 0x20
  ///     0x20    code (32-bit protected mode):
  ///             mov dx, 0x3f8 ; { mov al, c ; out dx, al }* ; mov al, v ; out 0xf4, al ; 1: hlt ; jmp 1b
  public var bytes: [UInt8] {
    let magic: UInt32 = 0x1BAD_B002
    let flags: UInt32 = 0x0001_0000
    let header: [UInt32] = [
      magic, flags, 0 &- (magic &+ flags), Self.loadAddress, Self.loadAddress, 0, 0, Self.loadAddress + 0x20,
    ]
    var out: [UInt8] = header.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
    out += [0x66, 0xBA, 0xF8, 0x03]  // mov dx, 0x3f8
    for byte in Array((message + "\n").utf8) where byte < 0x80 {
      out += [0xB0, byte, 0xEE]  // mov al, byte ; out dx, al
    }
    if let exitValue {
      out += [0xB0, exitValue, 0xE6, UInt8(GuestExit.port)]  // mov al, v ; out 0xf4, al
    }
    out += [0xF4, 0xEB, 0xFD]  // hlt ; jmp back to hlt (interrupts are off: forever)
    return out
  }

  /// Writes the image to `url` and returns it.
  @discardableResult
  public func write(to url: URL) throws -> URL {
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
    return url
  }
}
