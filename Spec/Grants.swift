// Grant tables: the only way one domain's frame becomes visible to another.
//
// The granter writes an entry "domain G may access my frame F (read-only or not)" in its grant
// table (`grantAccess`, the model of the guest's write to its shared grant page). The grantee
// then maps it (`grantMap`, GNTTABOP_map_grant_ref), which takes a reference on F and yields a
// handle; while it holds the handle, its L1 entries may point at F (see `getEntryReferences`).
// Or it copies through it (`grantCopy`, GNTTABOP_copy) without mapping.
//
// Safety comes from three facts:
//   - a mapping takes real references: a writable mapping takes a `writable` type reference, so
//     a granted page table can never be mapped writable (its type is l1..l4);
//   - an entry cannot be ended while mapped, and a mapping cannot be removed while the grantee's
//     L1 entries still use it (`Rule.grantOutlivesItsUsers`);
//   - a handle is removed exactly once: a second unmap finds nothing (XSA-224).

/// One side of a `GNTTABOP_copy`.
public enum CopyPointer: Equatable, Sendable {
  /// A frame the caller owns.
  case local(MFN)
  /// The frame behind grant `ref` of `granter`, which must grant it to the caller.
  case granted(granter: DomID, ref: GrantRef)
}

extension SpecState {
  /// `GNTTABOP_setup_table`: grows the caller's grant table to `frames` frames (never shrinks)
  /// and returns its capacity in entries.
  /// Conditions: live caller (ESRCH); `0 <= frames <= config.maxGrantFrames` (EINVAL).
  public func grantSetupTable(caller: VCPUID, frames n: Int) -> Transition<Int> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard (0...s.config.maxGrantFrames).contains(n) else { throw .EINVAL }
      s.grantTables[d]!.frames = max(s.grantTables[d]!.frames, n)
      return s.grantTables[d]!.frames * s.config.grantEntriesPerFrame
    }
  }

  /// The guest writing grant entry `ref` ("`grantee` may access `frame`"); Linux calls it
  /// `gnttab_grant_foreign_access`. Overwrites an unmapped entry.
  ///
  /// Conditions, in order: live caller (ESRCH); `ref` within the set-up table (EINVAL); the
  /// entry at `ref` is not mapped (EBUSY); the caller owns `frame` (EPERM hypervisor / EINVAL);
  /// `grantee` is another live domain (ESRCH, EINVAL for itself).
  public func grantAccess(
    caller: VCPUID, ref: GrantRef, grantee: DomID, frame: MFN, readOnly: Bool
  ) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      let table = s.grantTables[d]!
      guard Int(ref.raw) < table.frames * s.config.grantEntriesPerFrame else { throw .EINVAL }
      guard (table.entries[ref]?.mapCount ?? 0) == 0 else { throw .EBUSY }
      try s.checkOwned(frame, by: d)
      guard s.liveDomain(grantee) != nil else { throw .ESRCH }
      guard grantee != d else { throw .EINVAL }
      s.grantTables[d]!.entries[ref] = GrantEntry(grantee: grantee, frame: frame, readOnly: readOnly)
    }
  }

  /// The guest clearing grant entry `ref` (`gnttab_end_foreign_access`).
  /// Conditions: live caller (ESRCH); the entry exists (ENOENT); it is not mapped (EBUSY).
  public func grantEnd(caller: VCPUID, ref: GrantRef) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard let e = s.grantTables[d]!.entries[ref] else { throw .ENOENT }
      guard e.mapCount == 0 else { throw .EBUSY }  // Rule.grantOutlivesItsUsers
      s.grantTables[d]!.entries[ref] = nil
    }
  }

  /// Resolves grant `ref` of `granter` for use by `grantee`. Conditions, in order: `granter` is
  /// alive (ESRCH); the entry exists (ENOENT); it names `grantee` (EPERM); it allows writing if
  /// `write` (EPERM); the granter still owns the frame (EINVAL).
  func resolveGrant(
    _ granter: DomID, _ ref: GrantRef, for grantee: DomID, write: Bool
  ) throws(XenErrno) -> GrantEntry {
    guard liveDomain(granter) != nil else { throw .ESRCH }
    guard let e = grantTables[granter]?.entries[ref] else { throw .ENOENT }
    guard e.grantee == grantee else { throw .EPERM }
    guard !write || !e.readOnly else { throw .EPERM }
    guard frame(e.frame).owner == .domain(granter) else { throw .EINVAL }
    return e
  }

  /// `GNTTABOP_map_grant_ref`: the caller maps grant `ref` of `granter`; returns a new handle
  /// (the lowest one the caller is not using).
  ///
  /// Conditions, in order: live caller (ESRCH); `resolveGrant` (ESRCH, ENOENT, EPERM, EINVAL);
  /// for a writable mapping the frame takes the `writable` type (EINVAL: it is a page table).
  public func grantMap(
    caller: VCPUID, granter: DomID, ref: GrantRef, readOnly: Bool
  ) -> Transition<GrantHandle> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      let e = try s.resolveGrant(granter, ref, for: d, write: !readOnly)
      s.getPage(e.frame)
      if !readOnly { try s.getPageType(e.frame, .writable, for: d) }
      let used = Set((s.grantMappings[d] ?? [:]).keys)
      var h = GrantHandle(0)
      while used.contains(h) { h.raw += 1 }
      s.grantMappings[d, default: [:]][h] = GrantMapping(
        granter: granter, ref: ref, frame: e.frame, readOnly: readOnly)
      s.grantTables[granter]!.entries[ref]!.mapCount += 1
      return h
    }
  }

  /// How many present entries of `d`'s validated L1 tables map `mfn`, and how many of them
  /// are writable.
  public func l1References(from d: DomID, to mfn: MFN) -> (all: Int, writable: Int) {
    var all = 0
    var writable = 0
    for (t, f) in frames where f.owner == .domain(d) && f.type == .l1 && f.typeCount > 0 {
      for (_, e) in contents[t] ?? [:] where PTE.isPresent(e) && PTE.frame(e) == mfn {
        all += 1
        if PTE.isWritable(e) { writable += 1 }
      }
    }
    return (all, writable)
  }

  /// `GNTTABOP_unmap_grant_ref`: the caller gives back mapping `handle`.
  ///
  /// Conditions, in order: live caller (ESRCH); the handle exists (ENOENT: this is what
  /// refuses a double unmap, XSA-224); `Rule.grantOutlivesItsUsers`: if the caller's L1 entries
  /// still map the frame, another of its mappings must keep covering them (EBUSY).
  public func grantUnmap(caller: VCPUID, handle: GrantHandle) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard let m = s.grantMappings[d]?[handle] else { throw .ENOENT }
      let uses = s.l1References(from: d, to: m.frame)
      let others = s.grantMappings[d]!.filter { $0.key != handle && $0.value.frame == m.frame }
      if uses.all > 0 && others.isEmpty { throw .EBUSY }
      if uses.writable > 0 && !m.readOnly && !others.values.contains(where: { !$0.readOnly }) {
        throw .EBUSY
      }
      s.grantMappings[d]![handle] = nil
      s.releaseGrantMapping(m)
    }
  }

  /// Drops the references a grant mapping holds and its count in the granter's entry.
  mutating func releaseGrantMapping(_ m: GrantMapping) {
    if !m.readOnly { putPageType(m.frame) }
    putPage(m.frame)
    if grantTables[m.granter]?.entries[m.ref] != nil {
      grantTables[m.granter]!.entries[m.ref]!.mapCount -= 1
    }
  }

  /// `GNTTABOP_copy`: copies the whole of frame `source` over frame `dest` (Xen copies a byte
  /// range; the model copies the frame).
  ///
  /// Conditions, in order: live caller (ESRCH); each side resolves (a local frame the caller
  /// owns: EPERM / EINVAL; a grant: `resolveGrant`, writable for `dest`); `dest` is typable
  /// `writable` (EINVAL): copying into a page table would bypass validation entirely.
  public func grantCopy(caller: VCPUID, source: CopyPointer, dest: CopyPointer) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      func resolve(_ p: CopyPointer, write: Bool) throws(XenErrno) -> (MFN, DomID) {
        switch p {
        case .local(let mfn):
          try s.checkOwned(mfn, by: d)
          return (mfn, d)
        case .granted(let g, let ref):
          return (try s.resolveGrant(g, ref, for: d, write: write).frame, g)
        }
      }
      let (src, _) = try resolve(source, write: false)
      let (dst, dstOwner) = try resolve(dest, write: true)
      try s.getPageType(dst, .writable, for: dstOwner)
      s.putPageType(dst)
      s.contents[dst] = s.contents[src]
    }
  }
}
