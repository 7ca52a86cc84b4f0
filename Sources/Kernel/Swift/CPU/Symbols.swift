import KernelArch

/// The kernel's own symbol table, so an exception dump can name the function that trapped.
///
/// `bulkhead build` links twice: the second link adds a `.ksyms` section, after all code,
/// holding the demangled text symbols of the first link (same addresses):
///   u64 count; count × { u64 address, u32 nameOffset, u32 nameLength }; name bytes
/// sorted by address. nameOffset is from the start of the name bytes.
enum Symbols {
  /// The symbol containing `address` and the offset into it, or nil outside the table.
  static func lookup(_ address: UInt64) -> (name: UnsafeBufferPointer<UInt8>, offset: UInt64)? {
    let start = arch_ksyms_start()
    let end = arch_ksyms_end()
    guard end >= start + 8, let table = UnsafePointer<UInt64>(bitPattern: UInt(start)) else { return nil }
    let count = table[0]
    guard count > 0, 8 + count * 16 <= end - start else { return nil }
    let entries = UnsafeRawPointer(table + 1)
    func addr(_ i: UInt64) -> UInt64 { entries.load(fromByteOffset: Int(i * 16), as: UInt64.self) }
    guard address >= addr(0), address < arch_text_end() else { return nil }
    var lo: UInt64 = 0
    var hi = count - 1
    while lo < hi {   // the last entry whose address is <= address
      let mid = (lo + hi + 1) / 2
      if addr(mid) <= address { lo = mid } else { hi = mid - 1 }
    }
    let nameOffset = UInt64(entries.load(fromByteOffset: Int(lo * 16 + 8), as: UInt32.self))
    let nameLength = UInt64(entries.load(fromByteOffset: Int(lo * 16 + 12), as: UInt32.self))
    let names = start + 8 + count * 16
    guard names + nameOffset + nameLength <= end,
      let p = UnsafePointer<UInt8>(bitPattern: UInt(names + nameOffset))
    else { return nil }
    return (UnsafeBufferPointer(start: p, count: Int(nameLength)), address - addr(lo))
  }

  /// Writes `<symbol+0xoff>`, or `<unknown>`.
  static func writeSymbol(_ address: UInt64) {
    guard let s = lookup(address) else {
      Console.write("<unknown>")
      return
    }
    Console.write("<")
    for b in s.name { _ = c_putchar(Int32(b)) }
    Console.write("+")
    Console.writeHex(s.offset)
    Console.write(">")
  }
}
