// One page-table entry's references (Xen get_page_from_l{1,2,3,4}e / put_page_from_l*e,
// mod_l*_entry).
//
// Whether an entry may be stored is decided by `pteCheck` (Decision/PTECheck.swift), which the
// proofs show equal to the Spec's `getEntryReferences` for every input: the core only gathers
// its inputs from the frame table and applies its verdict. What an accepted entry holds:
//
//   L1, read-only      a general reference on the target
//   L1, R/W            a general and a `writable` typed reference
//   L2..L4             a general and a typed reference of the next-lower table type
//   L4 to a live L4    (linear, read-only) a general and an `l4` typed reference

extension MemoryManager {
  /// The `pteCheck` verdict for storing present entry `e` in a level-`level` table of `d`,
  /// without changing anything.
  @inline(__always)
  func checkEntry(_ e: UInt64, level: UInt64, for d: UInt16) -> UInt64 {
    let target = (e & DecisionPTE.frameMask) >> 12
    var owner = DecisionOwner.free
    var type = DecisionPageType.none
    var count: UInt64 = 0
    var grant = (read: false, write: false)
    if exists(target) {
      let r = record(target)
      owner = r.decisionOwner
      type = r.type
      count = UInt64(r.typeCount)
      if level == 1 && r.ownerKind == .domain && r.owner != d, let s = slotOf(d) {
        grant = domains[s]!.grantAccess(to: target)
      }
    }
    return pteCheck(
      entry: e, level: level, requester: DecisionOwner.domain(d),
      frameCount: UInt64(config.frameCount), targetOwner: owner, targetType: type,
      targetTypeCount: count, grantRead: grant.read, grantWrite: grant.write)
  }

  @inline(__always) private func slotOf(_ d: UInt16) -> Int? { slot(DomID(d)) }

  /// Checks present entry `e` for a level-`level` table of `d` and takes its references.
  /// On refusal nothing changed.
  mutating func takeEntry(_ e: UInt64, level: UInt64, for d: UInt16) throws(HypercallError) {
    if let error = HypercallError(decision: checkEntry(e, level: level, for: d)) { throw error }
    let target = (e & DecisionPTE.frameMask) >> 12
    let rw = e & DecisionPTE.writable != 0
    if level == 1 {
      // pteCheck ruled out a type conflict: this cannot fail and validates nothing.
      if rw { try getPageType(target, DecisionPageType.writable, for: d) }
      getPage(target)
      let r = record(target)
      if !r.isOwned(by: d), let s = slotOf(d) { domains[s]!.addForeignUse(target, writable: rw) }
      return
    }
    let r = record(target)
    let linear = level == 4 && r.typeCount > 0 && r.type == DecisionPageType.l4
    try getPageType(target, linear ? DecisionPageType.l4 : level - 1, for: d)
    getPage(target)
  }

  /// Drops the references present entry `e` of a level-`level` table owned by `tableOwner`
  /// holds. Tables whose last typed reference goes are queued, not released here.
  mutating func dropEntry(_ e: UInt64, level: UInt64, tableOwner: UInt16) {
    let target = (e & DecisionPTE.frameMask) >> 12
    if level == 1 {
      let rw = e & DecisionPTE.writable != 0
      if rw { putPageType(target) }
      if !record(target).isOwned(by: tableOwner), let s = slotOf(tableOwner) {
        domains[s]!.removeForeignUse(target, writable: rw)
      }
    } else {
      putPageType(target)
    }
    putPage(target)
  }

  /// Replaces entry `index` of table `table` (level `level`, owned by `d`) with `new`.
  ///
  /// Like Xen's mod_l*_entry and the Spec's `modEntry`: the new entry's references are taken
  /// first (so rewriting an entry to the same frame never lets its count touch 0), the value is
  /// stored, and only then are the old entry's references dropped (so a table released by that
  /// drop is released with its new contents). The caller drains the release list.
  mutating func modEntry(
    _ table: UInt64, _ index: Int, _ new: UInt64, level: UInt64, for d: UInt16
  ) throws(HypercallError) {
    if config.isReserved(level: level, index: index) { throw .EINVAL }  // Xen is_guest_l4_slot
    let old = memory.readEntry(frame: MFN(table), index: index)
    if new & DecisionPTE.present != 0 { try takeEntry(new, level: level, for: d) }
    memory.writeEntry(frame: MFN(table), index: index, value: new)
    if old & DecisionPTE.present != 0 { dropEntry(old, level: level, tableOwner: d) }
  }
}
