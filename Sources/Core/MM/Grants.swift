// Grant tables: the only way one domain's frame becomes visible to another
// (GNTTABOP_setup_table, map_grant_ref, unmap_grant_ref, copy, and the guest's own writes to
// its grant entries, modelled as grantAccess / grantEnd).
//
// Whether a grant may be used is decided by `grantCheck` / `grantMapCheck`
// (Decision/GrantCheck.swift), proved equal to the Spec's `resolveGrant` and `grantMap` checks.

/// One side of a `GNTTABOP_copy`.
public enum CopyPointer: Equatable, Sendable {
  /// A frame the caller owns.
  case local(MFN)
  /// The frame behind grant `ref` of `granter`, which must grant it to the caller.
  case granted(granter: DomID, ref: GrantRef)
}

extension MemoryManager {
  /// `GNTTABOP_setup_table`: grows the caller's table to `frames` frames (never shrinks) and
  /// returns its capacity in entries. Conditions: live caller (ESRCH); `0...maxGrantFrames`
  /// (EINVAL).
  public mutating func grantSetupTable(caller: VCPUID, frames n: Int) throws(HypercallError) -> Int {
    let s = try callerSlot(caller)
    guard n >= 0 && n <= config.maxGrantFrames else { throw .EINVAL }
    if n > domains[s]!.grantFrames { domains[s]!.grantFrames = n }
    return domains[s]!.grantFrames * config.grantEntriesPerFrame
  }

  /// The guest writing grant entry `ref` ("`grantee` may access `frame`").
  ///
  /// Conditions, in the Spec's order: live caller (ESRCH); `ref` within the set-up table
  /// (EINVAL); the entry is not mapped (EBUSY); the caller owns `frame` (EPERM / EINVAL);
  /// `grantee` is alive (ESRCH) and not the caller (EINVAL).
  public mutating func grantAccess(
    caller: VCPUID, ref: GrantRef, grantee: DomID, frame: MFN, readOnly: Bool
  ) throws(HypercallError) {
    let s = try callerSlot(caller)
    let d = domains[s]!.id
    let r = Int(ref.raw)
    guard r < domains[s]!.grantFrames * config.grantEntriesPerFrame else { throw .EINVAL }
    guard domains[s]!.grants[r].mapCount == 0 else { throw .EBUSY }
    try checkOwned(frame.raw, by: d.raw)
    guard slot(grantee) != nil else { throw .ESRCH }
    guard grantee != d else { throw .EINVAL }
    domains[s]!.grants[r] = GrantEntryRecord(
      inUse: true, readOnly: readOnly, grantee: grantee, frame: frame, mapCount: 0)
  }

  /// The guest clearing grant entry `ref`. Conditions: live caller (ESRCH); the entry exists
  /// (ENOENT); it is not mapped (EBUSY, `Rule.grantOutlivesItsUsers`).
  public mutating func grantEnd(caller: VCPUID, ref: GrantRef) throws(HypercallError) {
    let s = try callerSlot(caller)
    let r = Int(ref.raw)
    guard r < domains[s]!.grants.count, domains[s]!.grants[r].inUse else { throw .ENOENT }
    guard domains[s]!.grants[r].mapCount == 0 else { throw .EBUSY }
    domains[s]!.grants[r] = GrantEntryRecord()
  }

  /// The entry `ref` of `granter` and the inputs of `grantCheck` about it.
  func grantInputs(_ granter: DomID, _ ref: GrantRef) -> (slot: Int?, entry: GrantEntryRecord) {
    guard let gs = slot(granter) else { return (nil, GrantEntryRecord()) }
    let r = Int(ref.raw)
    guard r < domains[gs]!.grants.count else { return (gs, GrantEntryRecord()) }
    return (gs, domains[gs]!.grants[r])
  }

  /// Resolves grant `ref` of `granter` for `grantee` through `grantCheck` and returns its frame.
  func resolveGrant(
    _ granter: DomID, _ ref: GrantRef, for grantee: DomID, write: Bool
  ) throws(HypercallError) -> MFN {
    let (gs, e) = grantInputs(granter, ref)
    let owner = e.inUse && exists(e.frame.raw) ? record(e.frame.raw).decisionOwner : DecisionOwner.free
    let verdict = grantCheck(
      granterAlive: gs != nil, entryInUse: e.inUse, entryGrantee: UInt64(e.grantee.raw),
      grantee: UInt64(grantee.raw), entryReadOnly: e.readOnly, write: write,
      frameOwner: owner, granter: UInt64(granter.raw))
    if let error = HypercallError(decision: verdict) { throw error }
    return e.frame
  }

  /// `GNTTABOP_map_grant_ref`: the caller maps grant `ref` of `granter`; returns the lowest
  /// free handle.
  ///
  /// Conditions, in the Spec's order: live caller (ESRCH); `grantMapCheck` (ESRCH, ENOENT,
  /// EPERM, EINVAL; a writable mapping needs a frame typable `writable`). Core-only: a full
  /// maptrack is refused with ENOMEM.
  public mutating func grantMap(
    caller: VCPUID, granter: DomID, ref: GrantRef, readOnly: Bool
  ) throws(HypercallError) -> GrantHandle {
    let s = try callerSlot(caller)
    let d = domains[s]!.id
    let (gs, e) = grantInputs(granter, ref)
    var owner = DecisionOwner.free
    var type = DecisionPageType.none
    var count: UInt64 = 0
    if e.inUse && exists(e.frame.raw) {
      let f = record(e.frame.raw)
      owner = f.decisionOwner
      type = f.type
      count = UInt64(f.typeCount)
    }
    let verdict = grantMapCheck(
      granterAlive: gs != nil, entryInUse: e.inUse, entryGrantee: UInt64(e.grantee.raw),
      grantee: UInt64(d.raw), entryReadOnly: e.readOnly, readOnly: readOnly,
      frameOwner: owner, granter: UInt64(granter.raw), frameType: type, frameTypeCount: count)
    if let error = HypercallError(decision: verdict) { throw error }
    guard let gslot = gs else { throw .ESRCH }  // grantMapCheck ruled this out
    var h = 0
    while h < domains[s]!.maptrack.count && domains[s]!.maptrack[h].inUse { h += 1 }
    guard h < domains[s]!.maptrack.count else { throw .ENOMEM }
    // Apply: cannot fail.
    let frame = e.frame.raw
    getPage(frame)
    if !readOnly { try getPageType(frame, DecisionPageType.writable, for: d.raw) }
    domains[s]!.maptrack[h] = MaptrackRecord(
      inUse: true, readOnly: readOnly, granter: granter, ref: ref, frame: e.frame)
    if h >= domains[s]!.maptrackHigh { domains[s]!.maptrackHigh = h + 1 }
    domains[gslot]!.grants[Int(ref.raw)].mapCount += 1
    domains[gslot]!.grantsMappedByOthers += 1
    return GrantHandle(UInt32(h))
  }

  /// `GNTTABOP_unmap_grant_ref`: the caller gives back mapping `handle`.
  ///
  /// Conditions, in the Spec's order: live caller (ESRCH); the handle exists (ENOENT: a double
  /// unmap, XSA-224); `Rule.grantOutlivesItsUsers`: if the caller's validated L1 tables still
  /// map the frame, another of its mappings must cover them, a writable one for writable
  /// entries (EBUSY).
  public mutating func grantUnmap(caller: VCPUID, handle: GrantHandle) throws(HypercallError) {
    let s = try callerSlot(caller)
    let h = Int(handle.raw)
    guard h < domains[s]!.maptrackHigh, domains[s]!.maptrack[h].inUse else { throw .ENOENT }
    let m = domains[s]!.maptrack[h]
    let uses = domains[s]!.foreignUses(of: m.frame.raw)
    var others = false
    var writableOthers = false
    for (i, o) in domains[s]!.maptrack.enumerated() where i != h && o.inUse && o.frame == m.frame {
      others = true
      if !o.readOnly { writableOthers = true }
    }
    if uses.all > 0 && !others { throw .EBUSY }
    if uses.writable > 0 && !m.readOnly && !writableOthers { throw .EBUSY }
    domains[s]!.maptrack[h] = MaptrackRecord()
    while domains[s]!.maptrackHigh > 0 && !domains[s]!.maptrack[domains[s]!.maptrackHigh - 1].inUse {
      domains[s]!.maptrackHigh -= 1
    }
    releaseGrantMapping(m)
  }

  /// Drops the references a grant mapping holds and its count in the granter's entry.
  mutating func releaseGrantMapping(_ m: MaptrackRecord) {
    if !m.readOnly { putPageType(m.frame.raw) }
    putPage(m.frame.raw)
    if let gs = slot(m.granter) {
      domains[gs]!.grants[Int(m.ref.raw)].mapCount -= 1
      domains[gs]!.grantsMappedByOthers -= 1
    }
  }

  /// `GNTTABOP_copy`: copies the whole of the source frame over the destination frame.
  ///
  /// Conditions, in the Spec's order: live caller (ESRCH); the source resolves (a local frame
  /// the caller owns: EPERM / EINVAL; a grant: `grantCheck`), then the destination (writable);
  /// the destination is typable `writable` (EINVAL): copying into a page table would bypass
  /// validation.
  public mutating func grantCopy(
    caller: VCPUID, source: CopyPointer, dest: CopyPointer
  ) throws(HypercallError) {
    let (src, dst) = try grantCopyFrames(caller: caller, source: source, dest: dest)
    memory.copyFrame(from: src, to: dst)
  }

  /// One side of a copy: a local frame of `d`, or a grant to `d`.
  func resolveCopy(_ p: CopyPointer, for d: DomID, write: Bool) throws(HypercallError) -> MFN {
    switch p {
    case .local(let mfn):
      try checkOwned(mfn.raw, by: d.raw)
      return mfn
    case .granted(let g, let ref):
      return try resolveGrant(g, ref, for: d, write: write)
    }
  }
}
