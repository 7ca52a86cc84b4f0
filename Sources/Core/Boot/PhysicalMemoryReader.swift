/// Read access to physical memory, for parsing what a boot loader left there.
///
/// The kernel reads through its direct map; tests read from a byte array. Every read can
/// fail (address outside what the reader can see), so a corrupt pointer in a boot-loader
/// structure becomes a parse error, never a fault.
public protocol PhysicalMemoryReader {
  /// The byte at `address`, or nil if the reader cannot see it.
  func readU8(at address: UInt64) -> UInt8?
}

extension PhysicalMemoryReader {
  /// Little-endian 16-bit read; nil if any byte is unreadable or the address overflows.
  public func readU16(at address: UInt64) -> UInt16? {
    guard let lo = readU8(at: address), address < UInt64.max, let hi = readU8(at: address + 1) else { return nil }
    return UInt16(lo) | UInt16(hi) << 8
  }

  /// Little-endian 32-bit read.
  public func readU32(at address: UInt64) -> UInt32? {
    guard let lo = readU16(at: address), address <= UInt64.max - 2, let hi = readU16(at: address + 2) else { return nil }
    return UInt32(lo) | UInt32(hi) << 16
  }

  /// Little-endian 64-bit read.
  public func readU64(at address: UInt64) -> UInt64? {
    guard let lo = readU32(at: address), address <= UInt64.max - 4, let hi = readU32(at: address + 4) else { return nil }
    return UInt64(lo) | UInt64(hi) << 32
  }

  /// A NUL-terminated string of at most `limit` bytes (without the NUL); nil if unreadable
  /// or unterminated within the limit.
  public func readCString(at address: UInt64, limit: Int = 4096) -> [UInt8]? {
    var bytes: [UInt8] = []
    var a = address
    while bytes.count < limit {
      guard let b = readU8(at: a) else { return nil }
      if b == 0 { return bytes }
      bytes.append(b)
      guard a < UInt64.max else { return nil }
      a += 1
    }
    return nil
  }
}

/// A window of physical memory held in a byte array, starting at `base`: the host-side
/// reader used by tests (and by the kernel's self-check on synthesized boot info).
public struct ByteArrayMemory: PhysicalMemoryReader {
  public var base: UInt64
  public var bytes: [UInt8]

  public init(base: UInt64, bytes: [UInt8]) {
    self.base = base
    self.bytes = bytes
  }

  public func readU8(at address: UInt64) -> UInt8? {
    guard address >= base else { return nil }
    let offset = address - base
    guard offset < UInt64(bytes.count) else { return nil }
    return bytes[Int(offset)]
  }
}
