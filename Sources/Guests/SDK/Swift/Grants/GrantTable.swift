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

  /// The raw v1 entry, for tests and debugging.
  func entry(_ ref: UInt32) -> xen_grant_entry_v1 { entries[Int(ref)] }
}
