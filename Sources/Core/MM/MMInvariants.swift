// The Spec's memory invariants (Spec/MemoryInvariants.swift), checked on the core's own state.
// Same names, same content; each recomputes from scratch what the bookkeeping claims. They are
// O(frames * 512) and allocate: for tests, `bulkhead replay` and debug kernels, never the hot path.

/// One broken invariant: its Spec name, what is wrong, and the frame or domain involved.
public struct MMViolation: Sendable {
  /// The invariant's name, as in the Spec's `allInvariants`.
  public var invariant: StaticString
  /// What is wrong.
  public var what: StaticString
  /// The frame (MFN) or domain id concerned.
  public var subject: UInt64
  public init(_ invariant: StaticString, _ what: StaticString, _ subject: UInt64) {
    self.invariant = invariant
    self.what = what
    self.subject = subject
  }
}

extension MemoryManager {
  /// Every memory invariant, in the Spec's order.
  public func checkInvariants() -> [MMViolation] {
    checkFrameOwnership() + checkReferenceCounts() + checkTypeSafety() + checkIsolation()
      + checkGrantConsistency() + checkSharedFrames()
  }

  /// `frameOwnership`: domain frames belong to live domains; allocation = owned <= maxPages;
  /// free frames are unreferenced, untyped, scrubbed, without M2P entry; hypervisor frames are
  /// unreferenced; the free count and the scratch state are consistent.
  public func checkFrameOwnership() -> [MMViolation] {
    let n: StaticString = "frameOwnership"
    var out: [MMViolation] = []
    var owned = [Int](repeating: 0, count: domains.count)
    var free = 0
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      if f.queued || f.mark || f.next != FrameRecord.endOfList {
        out.append(MMViolation(n, "scratch state left on a frame", UInt64(i)))
      }
      switch f.ownerKind {
      case .domain:
        if let s = slot(DomID(f.owner)) { owned[s] += 1 } else {
          out.append(MMViolation(n, "frame owned by a dead or unknown domain", UInt64(i)))
        }
      case .free:
        free += 1
        if f != .free { out.append(MMViolation(n, "free frame has state", UInt64(i))) }
        if !memory.isZeroFrame(MFN(UInt64(i))) { out.append(MMViolation(n, "free frame not scrubbed", UInt64(i))) }
      case .hypervisor:
        if f.refCount != 0 || f.typeCount != 0 || f.pinned || f.hasM2P {
          out.append(MMViolation(n, "hypervisor frame is referenced", UInt64(i)))
        }
      }
      if i < freeHint && f.ownerKind == .free { out.append(MMViolation(n, "free frame below the hint", UInt64(i))) }
    }
    if free != freeCount { out.append(MMViolation(n, "free count differs from free frames", UInt64(free))) }
    if releaseHead != FrameRecord.endOfList { out.append(MMViolation(n, "release list not empty", UInt64(releaseHead))) }
    for (s, dom) in domains.enumerated() {
      guard let dom else { continue }
      if dom.allocation != owned[s] { out.append(MMViolation(n, "allocation != owned frames", UInt64(dom.id.raw))) }
      if owned[s] > dom.maxPages { out.append(MMViolation(n, "owns more than maxPages", UInt64(dom.id.raw))) }
      if slotOf[Int(dom.id.raw)] != UInt16(s) || !wasUsed(dom.id) {
        out.append(MMViolation(n, "domain slot index inconsistent", UInt64(dom.id.raw)))
      }
    }
    return out
  }

  /// `referenceCounts`: each frame's refCount and typeCount equal the references that exist
  /// (pins, CR3s, entries of validated tables, grant mappings), all of its type; and each
  /// domain's foreign-use table equals its validated L1 entries to foreign frames.
  public func checkReferenceCounts() -> [MMViolation] {
    let n: StaticString = "referenceCounts"
    var out: [MMViolation] = []
    var refs = [UInt32](repeating: 0, count: config.frameCount)
    var typed = [UInt32](repeating: 0, count: config.frameCount)
    var conflict = [Bool](repeating: false, count: config.frameCount)
    var foreignAll: [Int: [UInt64: UInt32]] = [:]
    var foreignWritable: [Int: [UInt64: UInt32]] = [:]
    func add(_ mfn: UInt64, _ t: UInt64?) {
      let i = Int(mfn)
      refs[i] += 1
      if let t {
        typed[i] += 1
        if frames[record: i].type != t { conflict[i] = true }
      }
    }
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      if f.pinned { add(UInt64(i), f.type) }
      guard f.typeCount > 0, f.type >= 1, f.type <= 4 else { continue }
      for j in 0..<XenABI.entriesPerTable {
        let e = memory.readEntry(frame: MFN(UInt64(i)), index: j)
        guard e & DecisionPTE.present != 0, !config.isReserved(level: f.type, index: j) else { continue }
        let t = (e & DecisionPTE.frameMask) >> 12
        guard exists(t) else {
          out.append(MMViolation(n, "validated entry points outside the machine", UInt64(i)))
          continue
        }
        if f.type == 1 {
          let rw = e & DecisionPTE.writable != 0
          add(t, rw ? DecisionPageType.writable : nil)
          if !record(t).isOwned(by: f.owner), let s = slot(DomID(f.owner)) {
            foreignAll[s, default: [:]][t, default: 0] += 1
            if rw { foreignWritable[s, default: [:]][t, default: 0] += 1 }
          }
        } else if f.type == 4 && record(t).type == DecisionPageType.l4 {
          add(t, DecisionPageType.l4)
        } else {
          add(t, f.type - 1)
        }
      }
    }
    for dom in domains {
      guard let dom else { continue }
      for c in dom.cr3 where c != noFrame { add(c, DecisionPageType.l4) }
      for m in dom.maptrack where m.inUse { add(m.frame.raw, m.readOnly ? nil : DecisionPageType.writable) }
      for h in dom.hypervisorRefs { add(h, nil) }
    }
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      if f.refCount != refs[i] { out.append(MMViolation(n, "refCount differs from references", UInt64(i))) }
      if f.typeCount != typed[i] { out.append(MMViolation(n, "typeCount differs from typed references", UInt64(i))) }
      if conflict[i] { out.append(MMViolation(n, "typed reference of another type", UInt64(i))) }
    }
    for (s, dom) in domains.enumerated() {
      guard let dom else { continue }
      var listed = 0
      for k in 0..<dom.foreignHigh where dom.foreign[k].all > 0 {
        listed += 1
        let r = dom.foreign[k]
        if foreignAll[s]?[r.frame] ?? 0 != r.all || foreignWritable[s]?[r.frame] ?? 0 != r.writable {
          out.append(MMViolation(n, "foreign-use count differs from L1 entries", r.frame))
        }
      }
      if listed != (foreignAll[s]?.count ?? 0) {
        out.append(MMViolation(n, "foreign-use table misses a frame", UInt64(dom.id.raw)))
      }
    }
    return out
  }

  /// `typeSafety`: untyped means count 0; validated exactly for typed tables; pinned only
  /// tables; entries of validated L2..L4 tables point at the next-lower table type (or, in an
  /// L4, read-only at an L4) and are never superpages; no writable translation reachable from
  /// a root ends in a frame not typed `writable`.
  public func checkTypeSafety() -> [MMViolation] {
    let n: StaticString = "typeSafety"
    var out: [MMViolation] = []
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      let isTable = f.type >= 1 && f.type <= 4
      if (f.type == DecisionPageType.none) != (f.typeCount == 0) {
        out.append(MMViolation(n, "type and type count disagree", UInt64(i)))
      }
      if f.validated != isTable { out.append(MMViolation(n, "validated flag disagrees with type", UInt64(i))) }
      if f.pinned && !isTable { out.append(MMViolation(n, "pinned frame is not a table", UInt64(i))) }
      guard isTable, f.type > 1, f.typeCount > 0 else { continue }
      for j in 0..<XenABI.entriesPerTable {
        let e = memory.readEntry(frame: MFN(UInt64(i)), index: j)
        guard e & DecisionPTE.present != 0, !config.isReserved(level: f.type, index: j) else { continue }
        let t = (e & DecisionPTE.frameMask) >> 12
        let tt = exists(t) ? record(t).type : DecisionPageType.none
        let linearOK = f.type == 4 && tt == DecisionPageType.l4 && e & DecisionPTE.writable == 0
        if tt != f.type - 1 && !linearOK { out.append(MMViolation(n, "table entry points to a wrong type", UInt64(i))) }
        if f.type != 4 && e & DecisionPTE.pageSize != 0 { out.append(MMViolation(n, "superpage entry", UInt64(i))) }
      }
    }
    for dom in domains {
      guard let dom else { continue }
      for root in roots(of: dom) {
        walk(root) { _, _ in } leaf: { frame, writable, _ in
          if writable && (!exists(frame) || record(frame).type != DecisionPageType.writable) {
            out.append(MMViolation(n, "writable translation to a non-writable frame", frame))
          }
        }
      }
    }
    return out
  }

  /// `isolation`: every table walked from a domain's roots is its own; every translation ends
  /// in a 4 KiB frame it owns or holds a grant mapping of (writable only if that mapping is),
  /// never a hypervisor frame; and so does every entry of its validated tables.
  public func checkIsolation() -> [MMViolation] {
    let n: StaticString = "isolation"
    var out: [MMViolation] = []
    for dom in domains {
      guard let dom else { continue }
      let d = dom.id.raw
      func allowed(_ mfn: UInt64, _ writable: Bool) -> Bool {
        guard exists(mfn) else { return false }
        if record(mfn).isOwned(by: d) { return true }
        let g = dom.grantAccess(to: mfn)
        return writable ? g.write : g.read
      }
      for root in roots(of: dom) {
        walk(root) { table, _ in
          if !exists(table) || !record(table).isOwned(by: d) {
            out.append(MMViolation(n, "walk through a foreign table", table))
          }
        } leaf: { frame, writable, level in
          if level != 1 { out.append(MMViolation(n, "superpage reachable", frame)) }
          if exists(frame) && record(frame).ownerKind == .hypervisor {
            out.append(MMViolation(n, "hypervisor frame reachable", frame))
          } else if !allowed(frame, writable) {
            out.append(MMViolation(n, "frame reachable without right", frame))
          }
        }
      }
      for i in 0..<config.frameCount {
        let f = frames[record: i]
        guard f.isOwned(by: d), f.typeCount > 0, f.type >= 1, f.type <= 4 else { continue }
        for j in 0..<XenABI.entriesPerTable {
          let e = memory.readEntry(frame: MFN(UInt64(i)), index: j)
          guard e & DecisionPTE.present != 0, !config.isReserved(level: f.type, index: j) else { continue }
          let t = (e & DecisionPTE.frameMask) >> 12
          let ok = f.type == 1 ? allowed(t, e & DecisionPTE.writable != 0) : exists(t) && record(t).isOwned(by: d)
          if !ok { out.append(MMViolation(n, "table entry maps a frame without right", UInt64(i))) }
        }
      }
    }
    return out
  }

  /// `grantConsistency`: every grant entry names a frame its granter owns and lies within the
  /// set-up table; its mapCount equals the mappings naming it; every mapping matches a live
  /// entry that names the mapper and allows the mapping's access.
  public func checkGrantConsistency() -> [MMViolation] {
    let n: StaticString = "grantConsistency"
    var out: [MMViolation] = []
    var counts = [[Int]](repeating: [], count: domains.count)
    for (s, dom) in domains.enumerated() { if let dom { counts[s] = [Int](repeating: 0, count: dom.grants.count) } }
    for dom in domains {
      guard let dom else { continue }
      for (h, m) in dom.maptrack.enumerated() where m.inUse {
        if h >= dom.maptrackHigh { out.append(MMViolation(n, "handle above maptrackHigh", UInt64(h))) }
        guard let gs = slot(m.granter), Int(m.ref.raw) < counts[gs].count else {
          out.append(MMViolation(n, "mapping of a missing grant", UInt64(dom.id.raw)))
          continue
        }
        counts[gs][Int(m.ref.raw)] += 1
        let e = domains[gs]!.grants[Int(m.ref.raw)]
        if !e.inUse || e.grantee != dom.id || e.frame != m.frame || (e.readOnly && !m.readOnly) {
          out.append(MMViolation(n, "mapping does not match its grant", UInt64(dom.id.raw)))
        }
      }
    }
    for (s, dom) in domains.enumerated() {
      guard let dom else { continue }
      var total = 0
      for (r, e) in dom.grants.enumerated() {
        total += e.mapCount
        if e.mapCount != counts[s][r] { out.append(MMViolation(n, "mapCount differs from mappings", UInt64(r))) }
        guard e.inUse else {
          if e.mapCount != 0 { out.append(MMViolation(n, "unused entry is mapped", UInt64(r))) }
          continue
        }
        if !exists(e.frame.raw) || !record(e.frame.raw).isOwned(by: dom.id.raw) {
          out.append(MMViolation(n, "grant names a frame its granter does not own", e.frame.raw))
        }
        if r >= dom.grantFrames * config.grantEntriesPerFrame {
          out.append(MMViolation(n, "grant entry outside its table", UInt64(r)))
        }
      }
      if total != dom.grantsMappedByOthers {
        out.append(MMViolation(n, "grantsMappedByOthers differs from map counts", UInt64(dom.id.raw)))
      }
    }
    return out
  }

  // MARK: hardware walk

  /// The roots the MMU may use for a domain: its vCPUs' CR3s and its pinned L4s.
  func roots(of dom: DomainRecord) -> [UInt64] {
    var r: [UInt64] = []
    for c in dom.cr3 where c != noFrame && !r.contains(c) { r.append(c) }
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      if f.isOwned(by: dom.id.raw) && f.pinned && f.type == DecisionPageType.l4 && !r.contains(UInt64(i)) {
        r.append(UInt64(i))
      }
    }
    return r
  }

  /// Walks the tree from `root` with hardware semantics (ignoring types): `table` for every
  /// frame read as a table, `leaf` for every translation (frame, writable along the path,
  /// level of the mapping entry).
  func walk(
    _ root: UInt64, table: (UInt64, Int) -> Void, leaf: (UInt64, Bool, Int) -> Void
  ) {
    func visit(_ t: UInt64, _ level: Int, _ writable: Bool) {
      table(t, level)
      guard exists(t) else { return }
      // A frame typed L4 holds the hypervisor's entries in its reserved slots, whatever level
      // the walk reads it at (a linear L4 entry makes the walk read an L4 as an L3): those
      // entries are the kernel's, never the guest's, and are skipped like the L4's own.
      let frameLevel = record(t).type == DecisionPageType.l4 ? DecisionPageType.l4 : UInt64(level)
      for i in 0..<XenABI.entriesPerTable {
        let e = memory.readEntry(frame: MFN(t), index: i)
        guard e & DecisionPTE.present != 0, !config.isReserved(level: UInt64(level), index: i),
          !config.isReserved(level: frameLevel, index: i)
        else { continue }
        let w = writable && e & DecisionPTE.writable != 0
        let target = (e & DecisionPTE.frameMask) >> 12
        let superpage = (level == 2 || level == 3) && e & DecisionPTE.pageSize != 0
        if level == 1 || superpage {
          leaf(target, w, level)
        } else if exists(target) {
          visit(target, level - 1, w)
        }
      }
    }
    visit(root, 4, true)
  }
}
