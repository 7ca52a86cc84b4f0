/// A PV guest kernel image: an ELF64 x86-64 executable with Xen ELF notes, as the domain
/// builder needs it. Parsing is bounded and checked throughout, because the image comes
/// from a boot module, and a malformed one must be refused with a reason, not crash the
/// hypervisor.
public struct GuestImage: Equatable, Sendable {
  /// A PT_LOAD segment.
  public struct Segment: Equatable, Sendable {
    public var virtualAddress: UInt64
    public var memorySize: UInt64
    public var fileOffset: UInt64
    public var fileSize: UInt64
    public var writable: Bool
    public var executable: Bool
  }

  public var entry: UInt64
  public var segments: [Segment]
  /// XEN_ELFNOTE_VIRT_BASE (0 when absent, as Xen assumes).
  public var virtualBase: UInt64
  /// XEN_ELFNOTE_PADDR_OFFSET.
  public var physicalOffset: UInt64
  /// XEN_ELFNOTE_HYPERCALL_PAGE: where the builder writes the hypercall stubs.
  public var hypercallPage: UInt64?
  /// XEN_ELFNOTE_GUEST_OS, e.g. "Bulkhead" or "linux".
  public var guestOS: [UInt8]
  /// XEN_ELFNOTE_FEATURES, the raw '|'-separated string.
  public var features: [UInt8]
  /// The lowest and one-past-highest virtual address the segments occupy.
  public var imageStart: UInt64
  public var imageEnd: UInt64
}

/// Why a guest image was refused.
public enum GuestImageError: Error, Equatable, Sendable {
  /// Not an ELF file, or not 64-bit little-endian x86-64.
  case notELF64
  /// ELF, but not an executable (ET_EXEC).
  case notExecutable
  /// A header, segment or note lies outside the file.
  case truncated(offset: UInt64)
  /// A segment's address range overflows or has filesz > memsz.
  case badSegment(index: Int)
  /// No PT_LOAD segment, or more than `GuestImageLimits.maxSegments`.
  case segmentCount(Int)
  /// The image reaches into a range the hypervisor reserves (Xen's hole or Bulkhead's slot 255).
  case overlapsHypervisor(address: UInt64)
  /// No Xen ELF notes: not a PV kernel.
  case noXenNotes
  /// The entry point is not inside a loaded segment.
  case entryOutsideImage(UInt64)
  /// The hypercall page is not a page-aligned address inside the image.
  case badHypercallPage(UInt64)
  /// The image is larger than `GuestImageLimits.maxImageBytes`.
  case tooLarge(UInt64)
}

/// Bounds on what the builder accepts.
public enum GuestImageLimits {
  public static let maxSegments = 16
  public static let maxNotesBytes: UInt64 = 64 << 10
  public static let maxImageBytes: UInt64 = 1 << 30
}

/// Virtual ranges no guest mapping may cover: Xen's hypervisor hole (PML4 slots 256–271) and
/// Bulkhead's image slot 255 (docs/decisions/0003-higher-half.md). Canonical lower half ends
/// at 0x0000_8000_0000_0000.
public enum ReservedVirtualRanges {
  public static let bulkheadImage: ClosedRange<UInt64> = 0x0000_7F80_0000_0000...0x0000_7FFF_FFFF_FFFF
  public static let xenHole: ClosedRange<UInt64> = 0xFFFF_8000_0000_0000...0xFFFF_87FF_FFFF_FFFF
  /// The PML4 slots a guest L4 may not use (the hypervisor fills them).
  public static let reservedSlots: ClosedRange<Int> = 255...271

  /// True if [start, end) touches a reserved range or is not canonical.
  public static func overlaps(start: UInt64, end: UInt64) -> Bool {
    guard end > start else { return false }
    let last = end - 1
    let nonCanonical = (start >= 0x0000_8000_0000_0000 && start < 0xFFFF_8000_0000_0000)
      || (last >= 0x0000_8000_0000_0000 && last < 0xFFFF_8000_0000_0000)
      || (start < 0x0000_8000_0000_0000 && last >= 0xFFFF_8000_0000_0000)
    func hits(_ r: ClosedRange<UInt64>) -> Bool { start <= r.upperBound && last >= r.lowerBound }
    return nonCanonical || hits(bulkheadImage) || hits(xenHole)
  }
}

extension GuestImage {
  /// Xen's ELF note types (xen/elfnote.h).
  enum Note {
    static let entry: UInt32 = 1
    static let hypercallPage: UInt32 = 2
    static let virtBase: UInt32 = 3
    static let paddrOffset: UInt32 = 4
    static let guestOS: UInt32 = 6
    static let features: UInt32 = 10
  }

  /// Parses the ELF file at [base, base+length) as seen through `reader`.
  public static func parse<R: PhysicalMemoryReader>(
    reader: R, base: UInt64, length: UInt64
  ) throws(GuestImageError) -> GuestImage {
    func u8(_ o: UInt64) throws(GuestImageError) -> UInt8 {
      guard o < length, let v = reader.readU8(at: base &+ o) else { throw .truncated(offset: o) }
      return v
    }
    func u16(_ o: UInt64) throws(GuestImageError) -> UInt16 {
      guard o <= length &- 2, length >= 2, let v = reader.readU16(at: base &+ o) else { throw .truncated(offset: o) }
      return v
    }
    func u32(_ o: UInt64) throws(GuestImageError) -> UInt32 {
      guard length >= 4, o <= length - 4, let v = reader.readU32(at: base &+ o) else { throw .truncated(offset: o) }
      return v
    }
    func u64(_ o: UInt64) throws(GuestImageError) -> UInt64 {
      guard length >= 8, o <= length - 8, let v = reader.readU64(at: base &+ o) else { throw .truncated(offset: o) }
      return v
    }

    guard length >= 64, try u32(0) == 0x464C_457F, try u8(4) == 2, try u8(5) == 1, try u16(18) == 62 else {
      throw .notELF64
    }
    guard try u16(16) == 2 else { throw .notExecutable }
    let entry = try u64(24)
    let phoff = try u64(32)
    let phentsize = UInt64(try u16(54))
    let phnum = Int(try u16(56))
    guard phentsize >= 56, phnum > 0, phnum <= 64 else { throw .segmentCount(phnum) }

    var image = GuestImage(
      entry: entry, segments: [], virtualBase: 0, physicalOffset: 0, hypercallPage: nil,
      guestOS: [], features: [], imageStart: UInt64.max, imageEnd: 0)
    var sawNotes = false
    for i in 0..<phnum {
      let (ph, o1) = UInt64(i).multipliedReportingOverflow(by: phentsize)
      let (p, o2) = phoff.addingReportingOverflow(ph)
      guard !o1, !o2 else { throw .truncated(offset: phoff) }
      let type = try u32(p)
      let flags = try u32(p + 4)
      let offset = try u64(p + 8)
      let vaddr = try u64(p + 16)
      let filesz = try u64(p + 32)
      let memsz = try u64(p + 40)
      switch type {
      case 1:  // PT_LOAD
        let (end, overflow) = vaddr.addingReportingOverflow(memsz)
        let (fileEnd, fileOverflow) = offset.addingReportingOverflow(filesz)
        guard !overflow, !fileOverflow, filesz <= memsz else { throw .badSegment(index: i) }
        guard fileEnd <= length else { throw .truncated(offset: offset) }
        if ReservedVirtualRanges.overlaps(start: vaddr, end: end) { throw .overlapsHypervisor(address: vaddr) }
        guard image.segments.count < GuestImageLimits.maxSegments else { throw .segmentCount(phnum) }
        image.segments.append(Segment(
          virtualAddress: vaddr, memorySize: memsz, fileOffset: offset, fileSize: filesz,
          writable: flags & 2 != 0, executable: flags & 1 != 0))
        image.imageStart = min(image.imageStart, vaddr)
        image.imageEnd = max(image.imageEnd, end)
      case 4:  // PT_NOTE
        let (notesEnd, overflow) = offset.addingReportingOverflow(filesz)
        guard !overflow, notesEnd <= length, filesz <= GuestImageLimits.maxNotesBytes else {
          throw .truncated(offset: offset)
        }
        if try readNotes(into: &image, from: offset, to: notesEnd, u32: u32, u64: u64, u8: u8) { sawNotes = true }
      default:
        continue
      }
    }
    guard !image.segments.isEmpty else { throw .segmentCount(0) }
    guard sawNotes else { throw .noXenNotes }
    guard image.imageEnd - image.imageStart <= GuestImageLimits.maxImageBytes else {
      throw .tooLarge(image.imageEnd - image.imageStart)
    }
    guard image.segments.contains(where: {
      entry >= $0.virtualAddress && entry < $0.virtualAddress + $0.memorySize
    }) else { throw .entryOutsideImage(entry) }
    if let hp = image.hypercallPage {
      guard hp & 0xFFF == 0, hp >= image.imageStart, hp <= image.imageEnd &- 4096 else { throw .badHypercallPage(hp) }
    }
    return image
  }

  /// Reads the notes in [start, end); returns true if any was a Xen note.
  static func readNotes(
    into image: inout GuestImage, from start: UInt64, to end: UInt64,
    u32: (UInt64) throws(GuestImageError) -> UInt32,
    u64: (UInt64) throws(GuestImageError) -> UInt64,
    u8: (UInt64) throws(GuestImageError) -> UInt8
  ) throws(GuestImageError) -> Bool {
    var o = start
    var sawXen = false
    while o + 12 <= end {
      let namesz = UInt64(try u32(o))
      let descsz = UInt64(try u32(o + 4))
      let type = try u32(o + 8)
      let name = o + 12
      let desc = name + ((namesz + 3) & ~3)
      let next = desc + ((descsz + 3) & ~3)
      guard namesz <= 64, descsz <= GuestImageLimits.maxNotesBytes, next <= end else { throw .truncated(offset: o) }
      // The name is "Xen\0".
      let n0 = try u8(name), n1 = try u8(name + 1), n2 = try u8(name + 2)
      let isXen = namesz == 4 && n0 == 0x58 && n1 == 0x65 && n2 == 0x6E
      if isXen {
        sawXen = true
        func number() throws(GuestImageError) -> UInt64 {
          descsz >= 8 ? try u64(desc) : descsz >= 4 ? UInt64(try u32(desc)) : 0
        }
        func string() throws(GuestImageError) -> [UInt8] {
          var s: [UInt8] = []
          var i: UInt64 = 0
          while i < descsz {
            let c = try u8(desc + i)
            if c == 0 { break }
            s.append(c)
            i += 1
          }
          return s
        }
        switch type {
        case Note.entry: image.entry = try number()
        case Note.hypercallPage: image.hypercallPage = try number()
        case Note.virtBase: image.virtualBase = try number()
        case Note.paddrOffset: image.physicalOffset = try number()
        case Note.guestOS: image.guestOS = try string()
        case Note.features: image.features = try string()
        default: break
        }
      }
      o = next
    }
    return sawXen
  }
}
