/// Parsers for the Multiboot1 and Multiboot2 information blocks.
///
/// Layouts: Multiboot Specification 0.6.96 (struct multiboot_info) and Multiboot2 1.0
/// (tagged). Every pointer and length in the block is untrusted: reads go through a
/// `PhysicalMemoryReader` and every count is bounded by `BootLimits`.
public enum Multiboot {
  /// EAX at entry when a Multiboot1 loader started us.
  public static let magic1: UInt32 = 0x2BAD_B002
  /// EAX at entry when a Multiboot2 loader started us.
  public static let magic2: UInt32 = 0x36D7_6289

  /// Parses the block at `info` according to the loader `magic`.
  public static func parse<R: PhysicalMemoryReader>(
    magic: UInt32, info: UInt64, reader: R
  ) throws(BootInfoError) -> BootInfo {
    switch magic {
    case magic1: return try parse1(info: info, reader: reader)
    case magic2: return try parse2(info: info, reader: reader)
    default: throw .unknownMagic(magic)
    }
  }

  // MARK: Multiboot1

  /// Multiboot1 `flags` bits we read.
  enum Flag1 {
    static let cmdline: UInt32 = 1 << 2
    static let mods: UInt32 = 1 << 3
    static let mmap: UInt32 = 1 << 6
  }

  static func parse1<R: PhysicalMemoryReader>(info: UInt64, reader: R) throws(BootInfoError) -> BootInfo {
    var out = BootInfo(bootProtocol: .multiboot1)
    out.infoStart = info
    out.infoLength = 88   // sizeof(struct multiboot_info) up to the framebuffer fields
    func u32(_ offset: UInt64) throws(BootInfoError) -> UInt32 {
      guard let v = reader.readU32(at: info &+ offset) else { throw .unreadable(address: info &+ offset) }
      return v
    }
    let flags = try u32(0)

    if flags & Flag1.cmdline != 0 {
      let ptr = UInt64(try u32(16))
      guard let s = reader.readCString(at: ptr, limit: BootLimits.maxStringBytes) else { throw .unreadable(address: ptr) }
      out.commandLine = s
    }

    if flags & Flag1.mods != 0 {
      let count = UInt64(try u32(20))
      let base = UInt64(try u32(24))
      guard count <= UInt64(BootLimits.maxModules) else { throw .tooManyEntries(field: "mods_count") }
      for i in 0..<count {
        let e = base + i * 16
        guard let start = reader.readU32(at: e), let end = reader.readU32(at: e + 4),
          let str = reader.readU32(at: e + 8)
        else { throw .unreadable(address: e) }
        guard end >= start else { throw .badLength(field: "mod_end", value: UInt64(end)) }
        let name = str == 0 ? [] : (reader.readCString(at: UInt64(str), limit: BootLimits.maxStringBytes) ?? [])
        out.modules.append(BootModule(start: UInt64(start), end: UInt64(end), string: name))
      }
    }

    guard flags & Flag1.mmap != 0 else { throw .noMemoryMap }
    let length = UInt64(try u32(44))
    let base = UInt64(try u32(48))
    guard length > 0, length <= BootLimits.maxInfoBytes else { throw .badLength(field: "mmap_length", value: length) }
    // Each entry starts with its own size, which does not count the size field itself.
    var offset: UInt64 = 0
    while offset < length {
      let e = base + offset
      guard let size = reader.readU32(at: e) else { throw .unreadable(address: e) }
      guard size >= 20 else { throw .badLength(field: "mmap entry size", value: UInt64(size)) }
      guard let start = reader.readU64(at: e + 4), let len = reader.readU64(at: e + 12),
        let type = reader.readU32(at: e + 20)
      else { throw .unreadable(address: e) }
      guard out.memoryMap.count < BootLimits.maxRegions else { throw .tooManyEntries(field: "mmap") }
      out.memoryMap.append(MemoryRegion(start: start, length: len, kind: MemoryRegion.Kind(rawValue: type) ?? .reserved))
      offset += UInt64(size) + 4
    }
    if out.memoryMap.isEmpty { throw .noMemoryMap }
    return out
  }

  // MARK: Multiboot2

  /// Multiboot2 tag types we read.
  enum Tag2 {
    static let end: UInt32 = 0
    static let cmdline: UInt32 = 1
    static let module: UInt32 = 3
    static let mmap: UInt32 = 6
    static let framebuffer: UInt32 = 8
    static let acpiOld: UInt32 = 14
    static let acpiNew: UInt32 = 15
    static let efi32SystemTable: UInt32 = 11
    static let efi64SystemTable: UInt32 = 12
  }

  static func parse2<R: PhysicalMemoryReader>(info: UInt64, reader: R) throws(BootInfoError) -> BootInfo {
    var out = BootInfo(bootProtocol: .multiboot2)
    guard info & 7 == 0 else { throw .badLength(field: "info alignment", value: info) }
    guard let total32 = reader.readU32(at: info) else { throw .unreadable(address: info) }
    let total = UInt64(total32)
    guard total >= 16, total <= BootLimits.maxInfoBytes else { throw .badLength(field: "total_size", value: total) }
    out.infoStart = info
    out.infoLength = total
    var sawMap = false
    var offset: UInt64 = 8
    while true {
      guard offset + 8 <= total else { throw .malformedTag(offset: offset) }
      let tag = info + offset
      guard let type = reader.readU32(at: tag), let size32 = reader.readU32(at: tag + 4) else {
        throw .unreadable(address: tag)
      }
      let size = UInt64(size32)
      guard size >= 8, offset + size <= total else { throw .malformedTag(offset: offset) }
      switch type {
      case Tag2.end:
        if !sawMap { throw .noMemoryMap }
        return out
      case Tag2.cmdline:
        guard let s = reader.readCString(at: tag + 8, limit: Int(min(size - 8, UInt64(BootLimits.maxStringBytes))))
        else { throw .malformedTag(offset: offset) }
        out.commandLine = s
      case Tag2.module:
        guard size >= 17, let start = reader.readU32(at: tag + 8), let end = reader.readU32(at: tag + 12) else {
          throw .malformedTag(offset: offset)
        }
        guard end >= start else { throw .badLength(field: "mod_end", value: UInt64(end)) }
        guard out.modules.count < BootLimits.maxModules else { throw .tooManyEntries(field: "modules") }
        let name = reader.readCString(at: tag + 16, limit: Int(min(size - 16, UInt64(BootLimits.maxStringBytes)))) ?? []
        out.modules.append(BootModule(start: UInt64(start), end: UInt64(end), string: name))
      case Tag2.mmap:
        guard size >= 16, let entrySize32 = reader.readU32(at: tag + 8) else { throw .malformedTag(offset: offset) }
        let entrySize = UInt64(entrySize32)
        guard entrySize >= 24, entrySize % 8 == 0 else { throw .badLength(field: "mmap entry_size", value: entrySize) }
        var e = tag + 16
        while e + entrySize <= tag + size {
          guard let start = reader.readU64(at: e), let len = reader.readU64(at: e + 8),
            let kind = reader.readU32(at: e + 16)
          else { throw .unreadable(address: e) }
          guard out.memoryMap.count < BootLimits.maxRegions else { throw .tooManyEntries(field: "mmap") }
          out.memoryMap.append(MemoryRegion(start: start, length: len, kind: MemoryRegion.Kind(rawValue: kind) ?? .reserved))
          e += entrySize
        }
        sawMap = !out.memoryMap.isEmpty
      case Tag2.framebuffer:
        guard size >= 31, let addr = reader.readU64(at: tag + 8), let pitch = reader.readU32(at: tag + 16),
          let width = reader.readU32(at: tag + 20), let height = reader.readU32(at: tag + 24),
          let bpp = reader.readU8(at: tag + 28), let fbType = reader.readU8(at: tag + 29)
        else { throw .malformedTag(offset: offset) }
        out.framebuffer = Framebuffer(
          address: addr, pitch: pitch, width: width, height: height, bitsPerPixel: bpp, type: fbType)
      case Tag2.efi32SystemTable, Tag2.efi64SystemTable:
        out.uefi = true
      case Tag2.acpiOld, Tag2.acpiNew:
        // Prefer the ACPI 2.0+ RSDP when both are present.
        if out.acpiRSDP == nil || type == Tag2.acpiNew { out.acpiRSDP = tag + 8 }
      default:
        break
      }
      offset += (size + 7) & ~7
    }
  }
}

extension Multiboot {
  /// Whether physical [start, end) lies inside `available` memory-map regions, read straight
  /// from the loader's block; nil if the block has no readable memory map.
  ///
  /// Allocation-free on purpose: the kernel calls it before touching its heap, which lives in
  /// the image's .bss and may lie beyond the end of a too-small RAM. (Multiboot2's basic
  /// memory tag is not enough: on UEFI it stops at the first hole above 1 MiB.)
  public static func rangeIsAvailable<R: PhysicalMemoryReader>(
    magic: UInt32, info: UInt64, reader: R, start: UInt64, end: UInt64
  ) -> Bool? {
    var covered = start
    var sawMap = false
    // Regions may come unsorted and split; each pass extends the covered prefix.
    for _ in 0..<BootLimits.maxRegions {
      var progressed = false
      let ok = forEachRegion(magic: magic, info: info, reader: reader) { r in
        sawMap = true
        if r.kind == .available && r.start <= covered && r.end > covered {
          covered = r.end
          progressed = true
        }
      }
      if !ok { return nil }
      if covered >= end { return true }
      if !progressed { break }
    }
    return sawMap ? false : nil
  }

  /// Calls `body` for each memory-map entry without building any array; false if the map is
  /// missing or unreadable.
  static func forEachRegion<R: PhysicalMemoryReader>(
    magic: UInt32, info: UInt64, reader: R, _ body: (MemoryRegion) -> Void
  ) -> Bool {
    switch magic {
    case magic1:
      guard let flags = reader.readU32(at: info), flags & Flag1.mmap != 0,
        let length = reader.readU32(at: info &+ 44), let base = reader.readU32(at: info &+ 48),
        UInt64(length) <= BootLimits.maxInfoBytes
      else { return false }
      var offset: UInt64 = 0
      var n = 0
      while offset < UInt64(length) && n < BootLimits.maxRegions {
        let e = UInt64(base) + offset
        guard let size = reader.readU32(at: e), size >= 20, let s = reader.readU64(at: e + 4),
          let l = reader.readU64(at: e + 12), let t = reader.readU32(at: e + 20)
        else { return false }
        body(MemoryRegion(start: s, length: l, kind: MemoryRegion.Kind(rawValue: t) ?? .reserved))
        offset += UInt64(size) + 4
        n += 1
      }
      return true
    case magic2:
      guard info & 7 == 0, let total = reader.readU32(at: info), UInt64(total) <= BootLimits.maxInfoBytes else {
        return false
      }
      var offset: UInt64 = 8
      while offset + 8 <= UInt64(total) {
        guard let type = reader.readU32(at: info + offset), let size = reader.readU32(at: info + offset + 4),
          size >= 8, offset + UInt64(size) <= UInt64(total)
        else { return false }
        if type == Tag2.end { return false }
        if type == Tag2.mmap, size >= 16, let entrySize = reader.readU32(at: info + offset + 8), entrySize >= 24 {
          var e = info + offset + 16
          while e + UInt64(entrySize) <= info + offset + UInt64(size) {
            guard let s = reader.readU64(at: e), let l = reader.readU64(at: e + 8), let t = reader.readU32(at: e + 16)
            else { return false }
            body(MemoryRegion(start: s, length: l, kind: MemoryRegion.Kind(rawValue: t) ?? .reserved))
            e += UInt64(entrySize)
          }
          return true
        }
        offset += (UInt64(size) + 7) & ~7
      }
      return false
    default:
      return false
    }
  }
}
