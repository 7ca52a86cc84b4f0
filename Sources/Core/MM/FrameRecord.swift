// One frame's bookkeeping (Xen `struct page_info`), packed into 16 bytes.
//
//   byte  0        4        8     10     12       16
//        +--------+--------+------+------+--------+
//        |refCount|typeCnt |owner |flags | next   |
//        +--------+--------+------+------+--------+
//
//   flags (16 bits):
//     15 ...... 10   9      8     7       6..5        4          3       2..0
//    +------------+------+------+-------+-----------+----------+--------+---------+
//    |  reserved  |queued| mark |m2pSet | ownerKind | validated| pinned |  type   |
//    +------------+------+------+-------+-----------+----------+--------+---------+
//
// `type` uses the `DecisionPageType` encoding (0 none, 1..4 = L1..L4, 5 writable), so the frame
// table feeds `pteCheck` without conversion. `ownerKind` is free / hypervisor / domain; `owner`
// is the domain id when the kind is domain. `next` links frames on the release list (see
// TypeReferences.swift) and is meaningless otherwise. The M2P entry lives in a separate
// 8-byte-per-frame table (as in Xen), so the whole per-frame cost is 16 + 8 = 24 bytes.
//
// Counts are 32 bits. They cannot overflow: every reference is a pin, a CR3, a grant mapping or
// an entry of a validated table, and `MMConfig.validate` bounds frameCount so that the total of
// all of those stays below 2^32 (see MMConfig.maxFrames).

/// Who owns a frame, as stored in `FrameRecord`.
public enum OwnerKind: UInt16, Sendable {
  /// On the free list: no domain may reference it.
  case free = 0
  /// Hypervisor text, data or heap: never mappable by a guest.
  case hypervisor = 1
  /// Owned by the domain in `FrameRecord.owner`.
  case domain = 2
}

/// Per-frame bookkeeping, 16 bytes (see the file comment for the layout).
public struct FrameRecord: Equatable, Sendable {
  /// References of any kind (every typed reference is also counted here).
  public var refCount: UInt32
  /// Typed references of `type`; `type` is none exactly when this is 0.
  public var typeCount: UInt32
  /// The owning domain id (meaningful when `ownerKind == .domain`).
  public var owner: UInt16
  /// Packed type, pinned, validated, owner kind, M2P-present and scratch bits.
  public var flags: UInt16
  /// Release-list link: the next frame waiting to drop its entries' references.
  var next: UInt32

  static let typeMask: UInt16 = 0b111
  static let pinnedBit: UInt16 = 1 << 3
  static let validatedBit: UInt16 = 1 << 4
  static let ownerShift: UInt16 = 5
  static let ownerMask: UInt16 = 0b11 << 5
  static let m2pBit: UInt16 = 1 << 7
  static let markBit: UInt16 = 1 << 8
  static let queuedBit: UInt16 = 1 << 9
  static let sharedBit: UInt16 = 1 << 10
  /// The `next` value that ends the release list.
  static let endOfList: UInt32 = 0xFFFF_FFFF

  /// A free, untyped, unreferenced frame.
  public static let free = FrameRecord(refCount: 0, typeCount: 0, owner: 0, flags: 0, next: endOfList)
  /// A hypervisor frame.
  public static let hypervisor = FrameRecord(
    refCount: 0, typeCount: 0, owner: 0, flags: OwnerKind.hypervisor.rawValue << ownerShift, next: endOfList)

  /// The page type (`DecisionPageType` encoding).
  @inline(__always) public var type: UInt64 {
    get { UInt64(flags & Self.typeMask) }
    set { flags = (flags & ~Self.typeMask) | (UInt16(truncatingIfNeeded: newValue) & Self.typeMask) }
  }
  /// Pinned as a page table by its owner (the pin holds one typed reference).
  @inline(__always) public var pinned: Bool {
    get { flags & Self.pinnedBit != 0 }
    set { flags = newValue ? flags | Self.pinnedBit : flags & ~Self.pinnedBit }
  }
  /// Contents validated for its page-table type (true iff type is L1..L4 with count > 0).
  @inline(__always) public var validated: Bool {
    get { flags & Self.validatedBit != 0 }
    set { flags = newValue ? flags | Self.validatedBit : flags & ~Self.validatedBit }
  }
  /// Free, hypervisor or domain.
  @inline(__always) public var ownerKind: OwnerKind {
    get { OwnerKind(rawValue: (flags & Self.ownerMask) >> Self.ownerShift) ?? .free }
    set { flags = (flags & ~Self.ownerMask) | (newValue.rawValue << Self.ownerShift) }
  }
  /// Whether the M2P table holds an entry for this frame.
  @inline(__always) public var hasM2P: Bool {
    get { flags & Self.m2pBit != 0 }
    set { flags = newValue ? flags | Self.m2pBit : flags & ~Self.m2pBit }
  }
  /// Scratch bit for operations that need a set of frames (always clear between hypercalls).
  @inline(__always) var mark: Bool {
    get { flags & Self.markBit != 0 }
    set { flags = newValue ? flags | Self.markBit : flags & ~Self.markBit }
  }
  /// Shared with the hypervisor (shared_info, grant frames): the kernel writes into it, so it
  /// may be mapped writable but never take a page-table type.
  @inline(__always) public internal(set) var sharedWithHypervisor: Bool {
    get { flags & Self.sharedBit != 0 }
    set { flags = newValue ? flags | Self.sharedBit : flags & ~Self.sharedBit }
  }
  /// On the release list (always clear between hypercalls).
  @inline(__always) var queued: Bool {
    get { flags & Self.queuedBit != 0 }
    set { flags = newValue ? flags | Self.queuedBit : flags & ~Self.queuedBit }
  }

  /// Whether domain `d` owns the frame.
  @inline(__always) public func isOwned(by d: UInt16) -> Bool { ownerKind == .domain && owner == d }

  /// The owner in `DecisionOwner` encoding (what `pteCheck` and `grantCheck` take).
  @inline(__always) public var decisionOwner: UInt64 {
    switch ownerKind {
    case .free: DecisionOwner.free
    case .hypervisor: DecisionOwner.hypervisor
    case .domain: DecisionOwner.domain(owner)
    }
  }
}
