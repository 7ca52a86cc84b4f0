/// Grant tables, version 1: the guest's list of "domain D may access my frame F" entries.
///
/// GNTTABOP_setup_table returns the MACHINE frames of our table; we map them onto a .bss window
/// (start.S `grant_table_window`, 4 frames = 2048 v1 entries) and then write entries directly:
/// frame and domid first, then (after a barrier) the flags that make the entry live.
import GuestArch

struct GrantTable {
  /// The mapped entries.
  let entries: UnsafeMutablePointer<xen_grant_entry_v1>
  /// How many entries the mapped frames hold.
  let count: Int

  /// Entries per 4 KiB frame (8 bytes each).
  static let entriesPerFrame = 512
  /// The first entries are reserved for the toolstack (xenstore, console).
  static let firstFreeReference: UInt32 = 8

  /// GNTTABOP_query_size: (frames in use, maximum frames) for this domain.
  static func querySize() throws(XenError) -> (frames: UInt32, maxFrames: UInt32) {
    var q = xen_gnttab_query_size(dom: UInt16(XEN_DOMID_SELF), nr_frames: 0, max_nr_frames: 0, status: 0)
    try Hypercall.withArgument(&q) { (p) throws(XenError) in
      _ = try Hypercall.call(.grantTableOp, UInt64(XEN_GNTTABOP_query_size), p, 1)
    }
    if q.status != 0 { throw XenError(rawValue: -Int32(q.status)) }
    return (q.nr_frames, q.max_nr_frames)
  }

  /// Sets up `frames` (1...4) grant-table frames and maps them.
  static func setUp(frames: Int = 1) throws(XenError) -> GrantTable {
    guard (1...4).contains(frames) else { throw .invalid }
    var mfns: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    try withUnsafeMutableBytes(of: &mfns) { (raw) throws(XenError) in
      var s = xen_gnttab_setup_table(
        dom: UInt16(XEN_DOMID_SELF), nr_frames: UInt32(frames), status: 0,
        frame_list: UInt64(UInt(bitPattern: raw.baseAddress)))
      try Hypercall.withArgument(&s) { (p) throws(XenError) in
        _ = try Hypercall.call(.grantTableOp, UInt64(XEN_GNTTABOP_setup_table), p, 1)
      }
      if s.status != 0 { throw XenError(rawValue: -Int32(s.status)) }
    }
    let window = guest_grant_table_window()
    let list = [mfns.0, mfns.1, mfns.2, mfns.3]
    for i in 0..<frames {
      try PageTable.updateVAMapping(window + UInt64(i) * 4096, pte: PageTable.pte(machineAddress: list[i] << 12, writable: true))
    }
    // Sound: the window is our own .bss, now backed by the grant-table frames.
    return GrantTable(
      entries: UnsafeMutablePointer(bitPattern: UInt(window))!, count: frames * entriesPerFrame)
  }

  /// Grants `domain` access to machine frame `mfn` through entry `ref`.
  func grantAccess(_ ref: UInt32, to domain: UInt16, mfn: UInt64, readOnly: Bool) {
    precondition(Int(ref) < count && ref >= Self.firstFreeReference, "grant reference out of range")
    entries[Int(ref)].domid = domain
    entries[Int(ref)].frame = UInt32(truncatingIfNeeded: mfn)
    guest_mb()   // the peer must see frame and domid before the entry becomes valid
    entries[Int(ref)].flags = UInt16(XEN_GTF_permit_access | (readOnly ? XEN_GTF_readonly : 0))
  }

  /// Revokes entry `ref`. Returns false while the peer still has it mapped (GTF_reading/writing).
  func endAccess(_ ref: UInt32) -> Bool {
    let inUse: UInt16 = (1 << 3) | (1 << 4)
    if entries[Int(ref)].flags & inUse != 0 { return false }
    entries[Int(ref)].flags = 0
    guest_mb()
    return true
  }

  /// A grant mapped into this domain (GNTTABOP_map_grant_ref).
  struct Mapping {
    /// For unmap.
    var handle: UInt32
    /// The granted frame's machine address.
    var busAddress: UInt64
  }

  /// GNTTABOP_map_grant_ref of `domain`'s entry `ref`; with `hostAddress`, the frame is
  /// mapped there (GNTMAP_host_map: the hypervisor rewrites that VA's PTE). Throws the
  /// hypercall's errno, or for a per-op failure the GNTST_* status as `GrantStatus`.
  static func map(
    domain: UInt16, ref: UInt32, hostAddress: UInt64?, readOnly: Bool
  ) throws(GrantStatus) -> Mapping {
    var flags: UInt32 = readOnly ? XEN_GNTMAP_readonly : 0
    if hostAddress != nil { flags |= XEN_GNTMAP_host_map }
    var op = xen_gnttab_map_grant_ref(
      host_addr: hostAddress ?? 0, flags: flags, ref: ref, dom: domain, status: 0, handle: 0, dev_bus_addr: 0)
    let r = withUnsafeMutablePointer(to: &op) { p in
      Hypercall.raw(.grantTableOp, UInt64(XEN_GNTTABOP_map_grant_ref), UInt64(UInt(bitPattern: p)), 1)
    }
    if r < 0 { throw GrantStatus(hypercall: r) }
    if op.status != 0 { throw GrantStatus(rawValue: op.status) }
    return Mapping(handle: op.handle, busAddress: op.dev_bus_addr)
  }

  /// GNTTABOP_unmap_grant_ref: ends mapping `handle` (and clears the PTE at `hostAddress`).
  static func unmap(handle: UInt32, hostAddress: UInt64?) throws(GrantStatus) {
    var op = xen_gnttab_unmap_grant_ref(host_addr: hostAddress ?? 0, dev_bus_addr: 0, handle: handle, status: 0)
    let r = withUnsafeMutablePointer(to: &op) { p in
      Hypercall.raw(.grantTableOp, UInt64(XEN_GNTTABOP_unmap_grant_ref), UInt64(UInt(bitPattern: p)), 1)
    }
    if r < 0 { throw GrantStatus(hypercall: r) }
    if op.status != 0 { throw GrantStatus(rawValue: op.status) }
  }

  /// GNTTABOP_copy of one `xen_gnttab_copy` (fill source/dest/len/flags); returns nothing on
  /// success.
  static func copy(_ op: inout xen_gnttab_copy) throws(GrantStatus) {
    let r = withUnsafeMutablePointer(to: &op) { p in
      Hypercall.raw(.grantTableOp, UInt64(XEN_GNTTABOP_copy), UInt64(UInt(bitPattern: p)), 1)
    }
    if r < 0 { throw GrantStatus(hypercall: r) }
    if op.status != 0 { throw GrantStatus(rawValue: op.status) }
  }

  /// The raw v1 entry, for tests and debugging.
  func entry(_ ref: UInt32) -> xen_grant_entry_v1 { entries[Int(ref)] }
}

/// A failed grant operation: a GNTST_* status (negative, grant_table.h), or the hypercall's
/// own errno when the whole call failed (`hypercallErrno` set, `rawValue` = -1).
struct GrantStatus: Error, Equatable {
  let rawValue: Int16
  /// Set when the hypercall itself returned an error (e.g. EFAULT, ENOSYS).
  var hypercallErrno: Int32? = nil

  init(rawValue: Int16) { self.rawValue = rawValue }
  init(hypercall r: Int64) {
    rawValue = -1
    hypercallErrno = Int32(truncatingIfNeeded: -r)
  }

  static let generalError = GrantStatus(rawValue: -1)
  static let badDomain = GrantStatus(rawValue: -2)
  static let badGrantRef = GrantStatus(rawValue: -3)
  static let badHandle = GrantStatus(rawValue: -4)
  static let badVirtualAddress = GrantStatus(rawValue: -5)
  static let permissionDenied = GrantStatus(rawValue: -8)
  static let badPage = GrantStatus(rawValue: -9)

  /// "GNTST -4" or "errno 14".
  var text: String { hypercallErrno.map { "errno \($0)" } ?? "GNTST \(rawValue)" }
}
