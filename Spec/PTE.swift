// x86-64 page-table entries, as raw 64-bit values.
//
//   63  62..59 58..52 51 ........................ 12 11..9  8   7   6   5   4   3   2   1   0
//  +---+------+------+-------------------------------+-----+---+---+---+---+---+---+---+---+---+
//  |NX | PKE  | avail|   machine frame number (MFN)  |avail| G |PS | D | A |PCD|PWT|U/S|R/W| P |
//  +---+------+------+-------------------------------+-----+---+---+---+---+---+---+---+---+---+
//
// Bit 7 is PS ("page size": this entry maps a 2 MiB / 1 GiB superpage) in an L2/L3 entry, PAT in
// an L1 entry, and reserved in an L4 entry. The model stores entries exactly as the guest wrote
// them; these helpers only read them.

/// Bit masks and field accessors for a raw x86-64 page-table entry.
public enum PTE {
  /// Present: the MMU ignores every other bit when this is clear.
  public static let present: UInt64 = 1 << 0
  /// Read/write: writes through this entry are allowed only if set at every level of the walk.
  public static let writable: UInt64 = 1 << 1
  /// User/supervisor.
  public static let user: UInt64 = 1 << 2
  /// Page-level write-through.
  public static let pwt: UInt64 = 1 << 3
  /// Page-level cache disable.
  public static let pcd: UInt64 = 1 << 4
  /// Accessed (set by the MMU).
  public static let accessed: UInt64 = 1 << 5
  /// Dirty (set by the MMU, leaf entries only).
  public static let dirty: UInt64 = 1 << 6
  /// PS in L2/L3 (superpage), PAT in L1, reserved in L4.
  public static let pageSize: UInt64 = 1 << 7
  /// Global (leaf entries only).
  public static let global: UInt64 = 1 << 8
  /// Bits 9..11, free for software.
  public static let avail: UInt64 = 0b111 << 9
  /// No-execute.
  public static let nx: UInt64 = 1 << 63
  /// Bits 12..51: the machine frame number.
  public static let frameMask: UInt64 = 0x000F_FFFF_FFFF_F000
  /// Bits 52..62: software-available bits and protection keys. Bulkhead refuses them all: the
  /// model keeps the allowed set small and explicit.
  public static let highReserved: UInt64 = 0x7FF0_0000_0000_0000

  /// Flags a guest may set in a present L1 (leaf) entry. Bit 7 here is PAT, not PS.
  public static let l1Allowed: UInt64 =
    present | writable | user | pwt | pcd | accessed | dirty | pageSize | global | avail | nx
  /// Flags a guest may set in a present L2/L3/L4 (non-leaf) entry. No PS: superpages are refused
  /// (see `Rule.noSuperpages`); no G or D: they mean nothing in a non-leaf entry.
  public static let upperAllowed: UInt64 =
    present | writable | user | pwt | pcd | accessed | avail | nx

  /// The machine frame an entry points to (bits 12..51).
  public static func frame(_ entry: UInt64) -> MFN { MFN((entry & frameMask) >> 12) }
  /// Whether the entry is present.
  public static func isPresent(_ entry: UInt64) -> Bool { entry & present != 0 }
  /// Whether the entry allows writes at its own level.
  public static func isWritable(_ entry: UInt64) -> Bool { entry & writable != 0 }
  /// Builds an entry from a frame and flags (convenience for tests and scenarios).
  public static func make(_ frame: MFN, _ flags: UInt64) -> UInt64 {
    ((frame.raw << 12) & frameMask) | (flags & ~frameMask)
  }
}

/// Page-table levels. `l1` entries map 4 KiB pages; `l4` is the root held in CR3.
public enum Level: Int, Sendable, CaseIterable, Comparable {
  case l1 = 1, l2, l3, l4
  /// The page type a frame must have to serve as a table of this level.
  public var pageType: PageType {
    switch self {
    case .l1: .l1
    case .l2: .l2
    case .l3: .l3
    case .l4: .l4
    }
  }
  /// The level the entries of this table point to, or nil for L1 (whose entries map data).
  public var lower: Level? { Level(rawValue: rawValue - 1) }
  public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
}

/// Virtual-address helpers. A canonical 48-bit address splits into four 9-bit table indices:
///
///   63 ...... 48 47 ... 39 38 ... 30 29 ... 21 20 ... 12 11 ...... 0
///  +------------+---------+---------+---------+---------+-----------+
///  | sign ext.  | L4 index| L3 index| L2 index| L1 index|  offset   |
///  +------------+---------+---------+---------+---------+-----------+
public enum VirtualAddress {
  /// The 9-bit index into the table of `level` that translates `va`.
  public static func index(_ va: UInt64, _ level: Level) -> Int {
    Int((va >> (12 + 9 * UInt64(level.rawValue - 1))) & 0x1FF)
  }
  /// Whether bits 48..63 are copies of bit 47 (the MMU faults on anything else).
  public static func isCanonical(_ va: UInt64) -> Bool {
    let top = va >> 47
    return top == 0 || top == 0x1FFFF
  }
  /// The virtual address translated by the given table indices (offset 0), sign-extended.
  public static func make(l4: Int, l3: Int, l2: Int, l1: Int) -> UInt64 {
    var va = UInt64(l4) << 39 | UInt64(l3) << 30 | UInt64(l2) << 21 | UInt64(l1) << 12
    if l4 >= 256 { va |= 0xFFFF_0000_0000_0000 }
    return va
  }
}
