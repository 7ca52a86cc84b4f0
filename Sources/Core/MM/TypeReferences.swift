// Reference counting and page typing (Xen get_page / get_page_type / put_page_type).
//
// Every use of a frame takes a typed reference: an L2 entry pointing at it an `l1` reference,
// an R/W L1 entry a `writable` one, a pin or a CR3 a table reference. A frame has one type while
// its type count is > 0 and changes type only at 0 (`Rule.typeChangesOnlyAtZero`), so a frame
// that is a page table anywhere can never be mapped writable anywhere.
//
// Taking a table type at count 0 validates the frame: every present entry is checked
// (`pteCheck`) and takes its own reference on the frame below. Depth is at most 4: a table's
// type is set before its entries are validated, and a linear L4 entry only ever points at an L4
// that is already typed, so validation never re-enters a level. If an entry fails, the entries
// already taken are dropped again and the frame returns to untyped: no trace is left.
//
// Dropping the last typed reference of a table releases its entries' references, which may
// drop other tables to 0 in turn. Chains of linear L4 entries make that cascade arbitrarily
// long, so it is not recursive: the frame goes on the release list (linked through
// `FrameRecord.next`) and `drainReleases` empties the list iteratively. Every hypercall that
// drops references drains before returning, so the list is empty between hypercalls.

extension MemoryManager {
  /// Takes a general reference on `mfn`.
  @inline(__always) mutating func getPage(_ mfn: UInt64) {
    frames[record: Int(mfn)].refCount += 1
  }

  /// Drops a general reference on `mfn`.
  @inline(__always) mutating func putPage(_ mfn: UInt64) {
    frames[record: Int(mfn)].refCount -= 1
  }

  /// Takes a typed reference of type `t` (`DecisionPageType`) on `mfn` for domain `d`.
  ///
  /// At count > 0 the type must already be `t` (EINVAL). At count 0 the frame takes `t`, and if
  /// `t` is a table type its contents are validated; on failure nothing changed.
  mutating func getPageType(_ mfn: UInt64, _ t: UInt64, for d: UInt16) throws(HypercallError) {
    let i = Int(mfn)
    let r = frames[record: i]
    if r.typeCount > 0 {
      guard r.type == t else { throw .EINVAL }  // Rule.typeChangesOnlyAtZero
      frames[record: i].typeCount += 1
      return
    }
    // A page the hypervisor writes into (shared_info, grant frames) must never become a page
    // table: each such write would change a validated entry behind the core's back (Xen keeps
    // these pages on its own heap, where get_page_type refuses table types).
    if t >= DecisionPageType.l1 && t <= DecisionPageType.l4 && r.sharedWithHypervisor { throw .EINVAL }
    frames[record: i].type = t
    frames[record: i].typeCount = 1
    guard t >= DecisionPageType.l1 && t <= DecisionPageType.l4 else { return }
    frames[record: i].validated = true
    do {
      try validateTable(mfn, level: t, for: d)
    } catch {
      // Every entry taken was dropped again: only the validation's own reference is left.
      frames[record: i].typeCount = 0
      frames[record: i].type = DecisionPageType.none
      frames[record: i].validated = false
      throw error
    }
  }

  /// Takes every present entry of table `mfn`; on the first refusal drops the ones taken.
  mutating func validateTable(_ mfn: UInt64, level: UInt64, for d: UInt16) throws(HypercallError) {
    let table = MFN(mfn)
    var i = 0
    while i < XenABI.entriesPerTable {
      let e = memory.readEntry(frame: table, index: i)
      if e & DecisionPTE.present != 0 && !config.isReserved(level: level, index: i) {
        do {
          try takeEntry(e, level: level, for: d)
        } catch {
          var j = 0
          while j < i {
            let ej = memory.readEntry(frame: table, index: j)
            if ej & DecisionPTE.present != 0 && !config.isReserved(level: level, index: j) { dropEntry(ej, level: level, tableOwner: d) }
            j += 1
          }
          throw error
        }
      }
      i += 1
    }
  }

  /// Drops a typed reference on `mfn`. At 0 a non-table frame becomes untyped at once; a table
  /// goes on the release list (keeping its type bits until `drainReleases` reads its level).
  @inline(__always) mutating func putPageType(_ mfn: UInt64) {
    let i = Int(mfn)
    frames[record: i].typeCount -= 1
    guard frames[record: i].typeCount == 0 else { return }
    let t = frames[record: i].type
    if t >= DecisionPageType.l1 && t <= DecisionPageType.l4 {
      frames[record: i].queued = true
      frames[record: i].next = releaseHead
      releaseHead = UInt32(truncatingIfNeeded: mfn)
    } else {
      frames[record: i].type = DecisionPageType.none
    }
  }

  /// Releases the entries of every table on the release list (and of tables they release).
  mutating func drainReleases() {
    while releaseHead != FrameRecord.endOfList {
      let mfn = UInt64(releaseHead)
      let i = Int(mfn)
      var r = frames[record: i]
      releaseHead = r.next
      let level = r.type
      r.next = FrameRecord.endOfList
      r.queued = false
      r.type = DecisionPageType.none
      r.validated = false
      frames[record: i] = r
      let owner = r.owner
      let table = MFN(mfn)
      for j in 0..<XenABI.entriesPerTable {
        let e = memory.readEntry(frame: table, index: j)
        if e & DecisionPTE.present != 0 && !config.isReserved(level: level, index: j) {
          dropEntry(e, level: level, tableOwner: owner)
        }
      }
    }
  }
}
