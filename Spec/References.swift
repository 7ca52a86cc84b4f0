// Reference counting and page typing: the heart of PV memory isolation.
//
// Xen PV lets a guest build its own page tables out of its own frames, so the hypervisor must
// make sure a guest can never *write* a page-table frame directly (it could then point an entry
// anywhere). The mechanism is a per-frame type with a count:
//
//   - a frame holds one type at a time: l1, l2, l3, l4, writable, ...;
//   - every use of the frame takes a typed reference: an L2 entry pointing at it takes an `l1`
//     reference, an L1 entry with R/W pointing at it takes a `writable` reference, pinning it as an
//     L3 takes an `l3` reference, loading it in CR3 takes an `l4` reference;
//   - the type can change only when its count is 0 (`Rule.typeChangesOnlyAtZero`).
//
// So a frame that is an L1 anywhere cannot be mapped writable anywhere, and vice versa. Taking
// a page-table type *validates* the frame: each present entry is checked and takes its own
// reference on the frame below, recursively. Dropping the last page-table reference un-validates
// it and releases those references, recursively.
//
// Every typed reference is also a general reference (`refCount`), which is what keeps a frame
// from being freed while anything still uses it.
//
// These helpers mutate a scratch copy and throw on refusal; `SpecState.transaction` discards the
// copy, so a refusal deep inside a recursive validation leaves no trace.

/// Named rules the model enforces. Errors and comments cite them; the README explains each.
public enum Rule: String, Sendable, CaseIterable {
  /// A present entry may not set bits outside the allowed set for its level.
  case noReservedBits
  /// PS in an L2/L3 entry (a 2 MiB / 1 GiB superpage) is refused for PV guests (XSA-148).
  case noSuperpages
  /// Hypervisor frames can never be referenced by a guest.
  case noHypervisorFrames
  /// A guest may reference only frames it owns, or, from an L1 entry, frames granted to it.
  case ownFramesOnly
  /// An L4 entry may point to an L4 (linear page table) only read-only (XSA-182).
  case linearReadOnly
  /// A frame's type changes only when its type count is 0.
  case typeChangesOnlyAtZero
  /// A frame is freed only when nothing references it and no grant entry names it.
  case freeOnlyUnreferenced
  /// A grant entry cannot be ended, nor a grant mapping removed, while something relies on it.
  case grantOutlivesItsUsers
  /// Domain ids are never reused (stale grant entries and ports name dead ids harmlessly).
  case noDomainIdReuse
  /// A domain owns at most `maxPages` frames.
  case withinReservation
  /// Creating, destroying, pausing domains and setting scheduler parameters is for privileged
  /// (control) domains only.
  case privilegedControl
  /// An interdomain event channel needs both ends' consent: the remote offered the port to us.
  case mutualConsent
}

extension SpecState {
  /// The domain issuing a hypercall from vCPU `v`: must exist and be alive (else ESRCH).
  func callerDomain(_ v: VCPUID) throws(XenErrno) -> Domain {
    guard vcpus[v] != nil, let d = liveDomain(v.domain) else { throw .ESRCH }
    return d
  }

  /// Checks that `mfn` is a frame owned by `d`. Hypervisor frames: EPERM; anything else: EINVAL.
  func checkOwned(_ mfn: MFN, by d: DomID) throws(XenErrno) {
    guard let f = frames[mfn] else { throw .EINVAL }
    if f.owner == .hypervisor { throw .EPERM }  // Rule.noHypervisorFrames
    guard f.owner == .domain(d) else { throw .EINVAL }  // Rule.ownFramesOnly
  }

  /// Whether `d` holds a grant mapping of `mfn` that allows the requested access.
  public func grantAllows(_ d: DomID, _ mfn: MFN, writable: Bool) -> Bool {
    (grantMappings[d] ?? [:]).values.contains { $0.frame == mfn && (!writable || !$0.readOnly) }
  }

  // MARK: general references

  /// Takes a general reference on `mfn`.
  mutating func getPage(_ mfn: MFN) { frames[mfn]!.refCount += 1 }
  /// Drops a general reference on `mfn`.
  mutating func putPage(_ mfn: MFN) { frames[mfn]!.refCount -= 1 }

  // MARK: typed references

  /// Takes a typed reference of type `t` on `mfn`, on behalf of domain `d`.
  ///
  /// At type count 0 the frame takes the new type (validating it if it is a page table).
  /// Otherwise the type must already be `t`: this is the check that makes a page table and a
  /// writable mapping of the same frame mutually exclusive (`Rule.typeChangesOnlyAtZero`).
  mutating func getPageType(_ mfn: MFN, _ t: PageType, for d: DomID) throws(XenErrno) {
    let f = frames[mfn]!
    if f.typeCount > 0 {
      guard f.type == t else { throw .EINVAL }  // type conflict
      frames[mfn]!.typeCount += 1
      return
    }
    // Count 0: take the type first (so a table that refers to itself sees its own type), then
    // validate every present entry.
    frames[mfn]!.type = t
    frames[mfn]!.typeCount = 1
    if let level = t.level {
      frames[mfn]!.validated = true
      for (_, e) in (contents[mfn] ?? [:]).sorted(by: { $0.key < $1.key }) where PTE.isPresent(e) {
        try getEntryReferences(e, at: level, for: d)
      }
    }
  }

  /// Drops a typed reference on `mfn`. At 0 the frame becomes untyped, and if it was a page table
  /// every present entry's reference on the frame below is released (recursively).
  mutating func putPageType(_ mfn: MFN) {
    frames[mfn]!.typeCount -= 1
    guard frames[mfn]!.typeCount == 0 else { return }
    let level = frames[mfn]!.type.level
    frames[mfn]!.type = .none
    frames[mfn]!.validated = false
    if let level {
      for (_, e) in (contents[mfn] ?? [:]).sorted(by: { $0.key < $1.key }) where PTE.isPresent(e) {
        putEntryReferences(e, at: level)
      }
    }
  }

  // MARK: page-table entries

  /// Checks a present entry written in a level-`level` table owned by `d`, and takes the
  /// references it holds. Conditions, in order:
  ///
  /// 1. `Rule.noReservedBits` and `Rule.noSuperpages` (EINVAL);
  /// 2. the target frame exists (EINVAL) and is not a hypervisor frame (EPERM);
  /// 3. `Rule.ownFramesOnly`: L2..L4 entries point to `d`'s own frames; L1 entries to `d`'s own
  ///    frames or to frames `d` holds a grant mapping of (EINVAL), writable only if that mapping
  ///    is writable (EPERM);
  /// 4. `Rule.linearReadOnly`: an L4 entry pointing to an L4 must be read-only (EINVAL);
  /// 5. the target takes the required type: `writable` for an R/W L1 entry, the next-lower table
  ///    type for an L2..L4 entry (EINVAL on conflict).
  mutating func getEntryReferences(_ e: UInt64, at level: Level, for d: DomID) throws(XenErrno) {
    let flags = e & ~PTE.frameMask
    if level == .l1 {
      guard flags & ~PTE.l1Allowed == 0 else { throw .EINVAL }  // Rule.noReservedBits
    } else {
      if level != .l4, e & PTE.pageSize != 0 { throw .EINVAL }  // Rule.noSuperpages (XSA-148)
      guard flags & ~PTE.upperAllowed == 0 else { throw .EINVAL }  // Rule.noReservedBits
    }
    let target = PTE.frame(e)
    guard let f = frames[target] else { throw .EINVAL }
    if f.owner == .hypervisor { throw .EPERM }  // Rule.noHypervisorFrames

    if level == .l1 {
      let rw = PTE.isWritable(e)
      if f.owner != .domain(d) {  // Rule.ownFramesOnly, grant clause
        guard grantAllows(d, target, writable: false) else { throw .EINVAL }
        guard !rw || grantAllows(d, target, writable: true) else { throw .EPERM }
      }
      getPage(target)
      if rw { try getPageType(target, .writable, for: d) }
      return
    }

    guard f.owner == .domain(d) else { throw .EINVAL }  // Rule.ownFramesOnly
    if level == .l4, f.type == .l4, f.typeCount > 0 {
      // A linear (recursive) entry: the L4 maps itself or another L4. Read-only, or the guest
      // could write its own page tables through it (Rule.linearReadOnly, XSA-182).
      guard !PTE.isWritable(e) else { throw .EINVAL }
      getPage(target)
      try getPageType(target, .l4, for: d)
      return
    }
    getPage(target)
    try getPageType(target, level.lower!.pageType, for: d)
  }

  /// Releases the references a present entry of a level-`level` table holds.
  mutating func putEntryReferences(_ e: UInt64, at level: Level) {
    let target = PTE.frame(e)
    if level == .l1 {
      if PTE.isWritable(e) { putPageType(target) }
    } else {
      putPageType(target)
    }
    putPage(target)
  }

  /// Replaces entry `index` of page-table frame `table` (of `level`, owned by `d`) with `new`.
  ///
  /// Order matters twice. Like Xen, the new entry's references are taken *before* the old one's
  /// are dropped, so rewriting an entry to point at the same frame never lets that frame's count
  /// touch 0. And the new value is stored *before* the old references are dropped: if dropping
  /// them un-validates `table` itself (a table kept alive only by its own linear entry), the
  /// un-validation must see the table as it now is, or it would release the old entry twice.
  mutating func modEntry(
    _ table: MFN, _ index: Int, _ new: UInt64, at level: Level, for d: DomID
  ) throws(XenErrno) {
    let old = entry(table, index)
    if PTE.isPresent(new) { try getEntryReferences(new, at: level, for: d) }
    setEntry(table, index, new)
    if PTE.isPresent(old) { putEntryReferences(old, at: level) }
  }
}
