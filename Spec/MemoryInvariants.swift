// Memory invariants. Each recomputes from scratch what the bookkeeping claims.

/// `frameOwnership`: every frame has exactly one owner (structural: `FrameOwner` is an enum);
/// frames owned by a domain belong to a live one; a live domain's `allocation` equals the
/// number of frames it owns and is within `maxPages`; a dead domain owns nothing; free frames
/// carry no references, no type, no contents and no M2P entry (they are scrubbed, so the next
/// owner learns nothing); hypervisor frames are never referenced.
func checkFrameOwnership(_ s: SpecState) -> [Violation] {
  let n = "frameOwnership"
  var out: [Violation] = []
  var owned: [DomID: Int] = [:]
  for (mfn, f) in s.frames {
    switch f.owner {
    case .domain(let d):
      owned[d, default: 0] += 1
      if s.liveDomain(d) == nil { out.append(Violation(n, "\(mfn) owned by dead/unknown \(d)")) }
    case .free:
      if f != FrameInfo(owner: .free) { out.append(Violation(n, "free \(mfn) has state \(f)")) }
      if s.contents[mfn] != nil { out.append(Violation(n, "free \(mfn) not scrubbed")) }
      if s.m2p[mfn] != nil { out.append(Violation(n, "free \(mfn) has an M2P entry")) }
    case .hypervisor:
      if f.refCount != 0 || f.typeCount != 0 || f.pinned {
        out.append(Violation(n, "hypervisor \(mfn) is referenced"))
      }
    }
  }
  for (d, dom) in s.domains {
    let count = owned[d] ?? 0
    if dom.allocation != count {
      out.append(Violation(n, "\(d) allocation \(dom.allocation) != owned \(count)"))
    }
    if count > dom.maxPages { out.append(Violation(n, "\(d) owns \(count) > max \(dom.maxPages)")) }
  }
  for mfn in s.m2p.keys where s.frames[mfn].map({ if case .domain = $0.owner { false } else { true } }) ?? true {
    out.append(Violation(n, "M2P entry for non-domain \(mfn)"))
  }
  return out
}

/// The references the state implies, recomputed: general references and typed references
/// (by type) per frame. The linear case: an L4 entry to an L4-typed frame holds an `l4` reference.
public func impliedReferences(_ s: SpecState) -> (refs: [MFN: Int], typed: [MFN: [PageType: Int]]) {
  var refs: [MFN: Int] = [:]
  var typed: [MFN: [PageType: Int]] = [:]
  func add(_ mfn: MFN, _ t: PageType?) {
    refs[mfn, default: 0] += 1
    if let t { typed[mfn, default: [:]][t, default: 0] += 1 }
  }
  for (mfn, f) in s.frames {
    if f.pinned { add(mfn, f.type) }
    guard let level = f.type.level, f.typeCount > 0 else { continue }
    for (_, e) in s.contents[mfn] ?? [:] where PTE.isPresent(e) {
      let target = PTE.frame(e)
      switch level {
      case .l1: add(target, PTE.isWritable(e) ? .writable : nil)
      case .l4 where s.frame(target).type == .l4: add(target, .l4)
      default: add(target, level.lower!.pageType)
      }
    }
  }
  for (_, v) in s.vcpus { if let cr3 = v.cr3 { add(cr3, .l4) } }
  for (_, maps) in s.grantMappings {
    for (_, m) in maps { add(m.frame, m.readOnly ? nil : .writable) }
  }
  return (refs, typed)
}

/// `referenceCounts`: every frame's `refCount` equals the references that exist (pins, CR3s,
/// entries of validated tables, grant mappings), and its `typeCount` equals the typed ones, all
/// of the frame's current type. A count too low lets a frame be freed or retyped while in use
/// (the classic use-after-free); too high only leaks, but is still a bug.
func checkReferenceCounts(_ s: SpecState) -> [Violation] {
  let n = "referenceCounts"
  var out: [Violation] = []
  let (refs, typed) = impliedReferences(s)
  for (mfn, f) in s.frames {
    let r = refs[mfn] ?? 0
    if f.refCount != r { out.append(Violation(n, "\(mfn) refCount \(f.refCount) != \(r) references")) }
    let t = typed[mfn] ?? [:]
    let total = t.values.reduce(0, +)
    if f.typeCount != total {
      out.append(Violation(n, "\(mfn) typeCount \(f.typeCount) != \(total) typed references \(t)"))
    }
    if let other = t.keys.first(where: { $0 != f.type }) {
      out.append(Violation(n, "\(mfn) has type \(f.type) but a \(other) reference"))
    }
  }
  return out
}

/// `typeSafety`: (1) untyped means count 0, and `validated` exactly for typed page tables;
/// (2) every present entry of a validated table of level L > 1 points to a table of level L-1
/// (or, in an L4, read-only to an L4), and no L2/L3 entry is a superpage; (3) following the
/// hardware walk from any root, no writable translation ends in a frame that is not typed
/// `writable`, hence never in a page table. (3) is the property XSA-148 and XSA-182 broke.
func checkTypeSafety(_ s: SpecState) -> [Violation] {
  let n = "typeSafety"
  var out: [Violation] = []
  for (mfn, f) in s.frames {
    if (f.type == .none) != (f.typeCount == 0) {
      out.append(Violation(n, "\(mfn) type \(f.type) with count \(f.typeCount)"))
    }
    if f.validated != (f.type.level != nil) {
      out.append(Violation(n, "\(mfn) validated=\(f.validated) but type \(f.type)"))
    }
    if f.pinned && f.type.level == nil { out.append(Violation(n, "pinned \(mfn) is not a table")) }
    guard let level = f.type.level, level != .l1 else { continue }
    for (i, e) in s.contents[mfn] ?? [:] where PTE.isPresent(e) {
      let t = s.frame(PTE.frame(e)).type
      let linearOK = level == .l4 && t == .l4 && !PTE.isWritable(e)
      if t != level.lower!.pageType && !linearOK {
        out.append(Violation(n, "\(level) \(mfn)[\(i)] points to a \(t) frame"))
      }
      if level != .l4 && e & PTE.pageSize != 0 {
        out.append(Violation(n, "\(level) \(mfn)[\(i)] is a superpage"))
      }
    }
  }
  for d in s.domains.keys.sorted() where s.liveDomain(d) != nil {
    for root in s.roots(of: d) {
      for leaf in s.walk(root: root).leaves where leaf.writable {
        if s.frame(leaf.frame).type != .writable {
          out.append(Violation(n, "\(d) reaches \(leaf.frame) (\(s.frame(leaf.frame).type)) writable at va \(leaf.va)"))
        }
      }
    }
  }
  return out
}

/// `isolation`: every translation reachable from a domain's roots, and every entry of its
/// validated tables, ends in a frame the domain owns, or (from an L1 entry) a frame it holds a
/// grant mapping of, writable only if that mapping is writable. Tables are always its own, and
/// no hypervisor frame is ever reachable.
func checkIsolation(_ s: SpecState) -> [Violation] {
  let n = "isolation"
  var out: [Violation] = []
  func allowed(_ d: DomID, _ mfn: MFN, writable: Bool) -> Bool {
    s.frame(mfn).owner == .domain(d) || s.grantAllows(d, mfn, writable: writable)
  }
  for d in s.domains.keys.sorted() where s.liveDomain(d) != nil {
    for root in s.roots(of: d) {
      let (leaves, tables) = s.walk(root: root)
      for t in tables.sorted() where s.frame(t).owner != .domain(d) {
        out.append(Violation(n, "\(d) walks through foreign table \(t)"))
      }
      for leaf in leaves {
        if leaf.level != .l1 { out.append(Violation(n, "\(d) reaches a superpage at va \(leaf.va)")) }
        if s.frame(leaf.frame).owner == .hypervisor {
          out.append(Violation(n, "\(d) reaches hypervisor \(leaf.frame)"))
        } else if !allowed(d, leaf.frame, writable: leaf.writable) {
          out.append(Violation(n, "\(d) reaches \(leaf.frame) (writable \(leaf.writable)) without right"))
        }
      }
    }
    for (mfn, f) in s.frames where f.owner == .domain(d) && f.typeCount > 0 {
      guard let level = f.type.level else { continue }
      for (i, e) in s.contents[mfn] ?? [:] where PTE.isPresent(e) {
        let target = PTE.frame(e)
        let ok =
          level == .l1
          ? allowed(d, target, writable: PTE.isWritable(e))
          : s.frame(target).owner == .domain(d)
        if !ok { out.append(Violation(n, "\(d) \(level) \(mfn)[\(i)] maps \(target) without right")) }
      }
    }
  }
  return out
}

/// `grantConsistency`: every grant entry names a frame its granter owns and lies within the
/// set-up table; its `mapCount` equals the mappings naming it; every mapping matches a live
/// entry that names the mapper and allows the mapping's access. So a mapped grant keeps its
/// frame alive (the granter cannot free it) and cannot be ended under the grantee's feet.
func checkGrantConsistency(_ s: SpecState) -> [Violation] {
  let n = "grantConsistency"
  var out: [Violation] = []
  var counts: [DomID: [GrantRef: Int]] = [:]
  for (grantee, maps) in s.grantMappings {
    if s.liveDomain(grantee) == nil { out.append(Violation(n, "dead \(grantee) holds mappings")) }
    for (h, m) in maps {
      counts[m.granter, default: [:]][m.ref, default: 0] += 1
      guard let e = s.grantTables[m.granter]?.entries[m.ref] else {
        out.append(Violation(n, "\(grantee) \(h) maps missing \(m.granter) \(m.ref)"))
        continue
      }
      if e.grantee != grantee || e.frame != m.frame || (e.readOnly && !m.readOnly) {
        out.append(Violation(n, "\(grantee) \(h) does not match \(m.granter) \(m.ref)"))
      }
    }
  }
  for (granter, table) in s.grantTables {
    if s.liveDomain(granter) == nil { out.append(Violation(n, "dead \(granter) has a grant table")) }
    for (ref, e) in table.entries {
      if s.frame(e.frame).owner != .domain(granter) {
        out.append(Violation(n, "\(granter) \(ref) names \(e.frame) it does not own"))
      }
      if Int(ref.raw) >= table.frames * s.config.grantEntriesPerFrame {
        out.append(Violation(n, "\(granter) \(ref) outside its table"))
      }
      let c = counts[granter]?[ref] ?? 0
      if e.mapCount != c { out.append(Violation(n, "\(granter) \(ref) mapCount \(e.mapCount) != \(c)")) }
    }
  }
  return out
}

/// `eventChannelConsistency`: ports are in 1..<maxPorts; an interdomain port's peer exists and
/// points back at it; only live domains have ports.
func checkEventChannels(_ s: SpecState) -> [Violation] {
  let n = "eventChannelConsistency"
  var out: [Violation] = []
  for (d, table) in s.ports {
    if s.liveDomain(d) == nil { out.append(Violation(n, "dead \(d) has ports")) }
    for (p, ch) in table {
      if p.raw == 0 || Int(p.raw) >= s.config.maxPorts { out.append(Violation(n, "\(d) \(p) out of range")) }
      if case .interdomain(let r, let rp) = ch.binding,
        s.ports[r]?[rp]?.binding != .interdomain(remote: d, remotePort: p)
      {
        out.append(Violation(n, "\(d) \(p) -> \(r) \(rp) is not symmetric"))
      }
    }
  }
  return out
}

/// `domainConsistency`: a live domain has exactly vCPUs 0..<vcpuCount, a grant table and a
/// port table; a dead one has none of them; every CR3 holds an L4-typed frame of its domain.
func checkDomains(_ s: SpecState) -> [Violation] {
  let n = "domainConsistency"
  var out: [Violation] = []
  for (d, dom) in s.domains {
    let expected = dom.isAlive ? (0..<dom.vcpuCount).map { VCPUID(d, $0) } : []
    if s.vcpus(of: d) != expected { out.append(Violation(n, "\(d) has vCPUs \(s.vcpus(of: d))")) }
    if (s.grantTables[d] != nil) != dom.isAlive || (s.ports[d] != nil) != dom.isAlive {
      out.append(Violation(n, "\(d) tables do not match its state \(dom.state)"))
    }
    if dom.state == .blocked || dom.state == .dying {
      out.append(Violation(n, "\(d) stores derived state \(dom.state)"))
    }
  }
  for (v, vc) in s.vcpus {
    if s.domains[v.domain] == nil { out.append(Violation(n, "\(v) has no domain")) }
    if let cr3 = vc.cr3, s.frame(cr3).owner != .domain(v.domain) || s.frame(cr3).type != .l4 {
      out.append(Violation(n, "\(v) CR3 \(cr3) is not an owned L4"))
    }
  }
  return out
}
