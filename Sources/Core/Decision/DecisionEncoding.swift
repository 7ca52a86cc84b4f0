// How the decision functions encode errnos, frame owners and page types as 64-bit words.
//
// The core stores these encodings in its own frame table (or converts to them at the call), and
// proofs/Obligations maps the Spec's enums to the same numbers. Change a number here and the
// agreement proofs re-check everything.

/// Xen errno numbers returned by decision functions (0 = allowed). Same numbers as the Spec's
/// `XenErrno` and Xen's `xen/include/public/errno.h`; hypercalls return them negated.
public enum DecisionErrno {
  /// Allowed.
  public static let ok: UInt64 = 0
  /// `XEN_EPERM`: never allowed for this caller (hypervisor frame, wrong grantee).
  public static let EPERM: UInt64 = 1
  /// `XEN_ENOENT`: the named grant entry does not exist.
  public static let ENOENT: UInt64 = 2
  /// `XEN_ESRCH`: no such (live) domain.
  public static let ESRCH: UInt64 = 3
  /// `XEN_ENOMEM`: out of frames or reservation.
  public static let ENOMEM: UInt64 = 12
  /// `XEN_EFAULT`: bad guest address.
  public static let EFAULT: UInt64 = 14
  /// `XEN_EBUSY`: still referenced.
  public static let EBUSY: UInt64 = 16
  /// `XEN_EEXIST`: already exists.
  public static let EEXIST: UInt64 = 17
  /// `XEN_EINVAL`: malformed or unsafe argument.
  public static let EINVAL: UInt64 = 22
  /// `XEN_ENOSPC`: table full.
  public static let ENOSPC: UInt64 = 28
  /// `XEN_ENOSYS`: not implemented.
  public static let ENOSYS: UInt64 = 38
}

/// Frame owner encoding: a domain is its 16-bit id; two values above every id mark the rest.
/// (Spec `FrameOwner`.)
public enum DecisionOwner {
  /// `FrameOwner.free`.
  public static let free: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
  /// `FrameOwner.hypervisor`.
  public static let hypervisor: UInt64 = 0xFFFF_FFFF_FFFF_FFFE
  /// `FrameOwner.domain(d)` is `UInt64(d.raw)`.
  @inline(__always) public static func domain(_ raw: UInt16) -> UInt64 { UInt64(raw) }
}

/// Page type encoding (Spec `PageType`). Table types equal their level, so "the next-lower
/// table type" of a level-L entry is `L - 1`.
public enum DecisionPageType {
  public static let none: UInt64 = 0
  public static let l1: UInt64 = 1
  public static let l2: UInt64 = 2
  public static let l3: UInt64 = 3
  public static let l4: UInt64 = 4
  public static let writable: UInt64 = 5
  public static let segdesc: UInt64 = 6
  public static let shared: UInt64 = 7
}

/// x86-64 PTE bits, as the Spec's `PTE` names them (see the diagram in Spec/PTE.swift).
public enum DecisionPTE {
  public static let present: UInt64 = 1 << 0
  public static let writable: UInt64 = 1 << 1
  public static let user: UInt64 = 1 << 2
  public static let pwt: UInt64 = 1 << 3
  public static let pcd: UInt64 = 1 << 4
  public static let accessed: UInt64 = 1 << 5
  public static let dirty: UInt64 = 1 << 6
  /// PS in L2/L3 (superpage), PAT in L1, reserved in L4.
  public static let pageSize: UInt64 = 1 << 7
  public static let global: UInt64 = 1 << 8
  public static let avail: UInt64 = 0b111 << 9
  public static let nx: UInt64 = 1 << 63
  /// Bits 12..51: the machine frame number.
  public static let frameMask: UInt64 = 0x000F_FFFF_FFFF_F000
  /// Flags allowed in a present L1 entry (bits 52..62 are all refused).
  public static let l1Allowed: UInt64 =
    present | writable | user | pwt | pcd | accessed | dirty | pageSize | global | avail | nx
  /// Flags allowed in a present L2/L3/L4 entry: no PS, G or D.
  public static let upperAllowed: UInt64 = present | writable | user | pwt | pcd | accessed | avail | nx
}
