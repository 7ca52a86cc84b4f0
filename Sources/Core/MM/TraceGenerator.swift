// A seeded generator of random and adversarial memory-management operations.
//
// It lives in Core (not in a test target) so that the differential tests, `bulkhead bench mm`,
// the fuzzer and a debug kernel can all run the very same traces. Each operation is chosen
// from the current state of a memory manager, biased toward the edge cases PV memory
// management gets wrong: tables that point at themselves or at tables of the wrong level,
// linear L4 entries, pin/unpin and CR3 switches on frames still in use, retyping a frame that is
// mapped, grants to oneself, double unmaps, copying into page tables, giving back or destroying
// memory that is still mapped, and hypervisor, free and out-of-range frames.

/// SplitMix64: a tiny seeded PRNG, so every trace can be replayed from its seed.
public struct SplitMix64: Sendable {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in 0..<n (n > 0).
  public mutating func below(_ n: Int) -> Int { Int(truncatingIfNeeded: next() % UInt64(n)) }
  /// True with probability percent/100.
  public mutating func percent(_ p: Int) -> Bool { below(100) < p }
}

/// Generates operations from the state of a memory manager (see the file comment).
public struct MMTraceGenerator: Sendable {
  public var rng: SplitMix64
  /// Domain ids the generator plays with (dom0 plus a few guests).
  public var domainIDs: [UInt16] = [0, 1, 2, 3, 4]

  public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func pick<T>(_ xs: [T]) -> T { xs[rng.below(xs.count)] }

  /// Frames owned by `d`, ascending.
  func owned<M, F>(_ mm: MemoryManager<M, F>, _ d: UInt16) -> [MFN] {
    var out: [MFN] = []
    for i in 0..<mm.config.frameCount where mm.frames[record: i].isOwned(by: d) { out.append(MFN(UInt64(i))) }
    return out
  }

  /// A frame: mostly one of `own`, else any frame of the machine or just past it.
  mutating func frame(_ own: [MFN], _ frameCount: Int, ownPercent: Int = 80) -> MFN {
    if !own.isEmpty && rng.percent(ownPercent) { return pick(own) }
    return MFN(UInt64(rng.below(frameCount + 2)))
  }

  /// Interesting flag sets for an entry.
  mutating func flags() -> UInt64 {
    let sets: [UInt64] = [
      0x5, 0x7, 0x7, 0x7, 0x25, 0x87, 0x85, 0x5 | 1 << 52, 0x167 | 1 << 63, 0, 0x2 | 0x80 | 1 << 60, 0x7 | 0xE00,
    ]
    return pick(sets)
  }

  /// An entry for table `table` of `mm` owned by `d`: aims at a frame of the right level half
  /// the time, at the table itself sometimes (self reference / linear entry).
  mutating func entry<M, F>(_ mm: MemoryManager<M, F>, table: MFN, own: [MFN], other: [MFN]) -> UInt64 {
    let level = mm.frameRecord(table)?.typeCount ?? 0 > 0 ? mm.frameRecord(table)?.type ?? 0 : 0
    var target: MFN
    let roll = rng.below(100)
    if roll < 10 {
      target = table
    } else if roll < 55 && level >= 2 {
      let want = level - 1
      let fit = own.filter { mm.frameRecord($0)?.type == want || mm.frameRecord($0)?.typeCount == 0 }
      target = fit.isEmpty ? frame(own, mm.config.frameCount) : pick(fit)
    } else if roll < 65 && !other.isEmpty {
      target = pick(other)
    } else {
      target = frame(own, mm.config.frameCount)
    }
    return target.raw << 12 | flags()
  }

  /// A virtual address from a small set (slot 0, slot 1, a high-half slot, non-canonical).
  mutating func va() -> UInt64 {
    if rng.percent(10) { return pick([0x8000_0000_0000, 0xFFFF_FF80_0000_0000, 0x1234]) }
    let ix = [0, 0, 0, 1, 2, 511]
    var va = UInt64(pick(ix)) << 39 | UInt64(pick(ix)) << 30 | UInt64(pick(ix)) << 21 | UInt64(pick(ix)) << 12
    if va >> 47 != 0 { va |= 0xFFFF_0000_0000_0000 }
    return va
  }

  /// The next operation for the state of `mm`.
  public mutating func next<M, F>(_ mm: MemoryManager<M, F>) -> MMOperation {
    let live = mm.liveDomains
    let d: UInt16 = !live.isEmpty && rng.percent(88) ? pick(live).id.raw : pick(domainIDs)
    let me = mm.domain(DomID(d))
    let vcpus = me?.vcpuCount ?? 1
    let caller = VCPUID(DomID(d), rng.percent(95) ? rng.below(vcpus) : rng.below(vcpus + 2))
    let peers = live.filter { $0.id.raw != d }
    let other: UInt16 = !peers.isEmpty && rng.percent(85) ? pick(peers).id.raw : pick(domainIDs)
    let own = owned(mm, d)
    var others = owned(mm, other)
    // Grants addressed to the caller, and frames it has mapped (targets for foreign L1 entries).
    var offered: [(DomID, GrantRef, Bool)] = []
    for g in live where g.id.raw != d {
      for (r, e) in g.grants.prefix(8).enumerated() where e.inUse && e.grantee.raw == d { offered.append((g.id, GrantRef(UInt32(r)), e.readOnly)) }
    }
    var handles: [GrantHandle] = []
    if let me {
      for (h, m) in me.maptrack.prefix(me.maptrackHigh).enumerated() where m.inUse {
        handles.append(GrantHandle(UInt32(h)))
        if rng.percent(60) { others.insert(m.frame, at: 0) }
      }
    }
    let capacity = (me?.grantFrames ?? 0) * mm.config.grantEntriesPerFrame
    let n = mm.config.frameCount
    let dom0 = VCPUID(.dom0, 0)
    func grantRef(_ g: inout Self) -> GrantRef {
      GrantRef(UInt32(capacity > 0 && g.rng.percent(90) ? g.rng.below(min(capacity, 4)) : g.rng.below(6)))
    }
    switch rng.below(100) {
    case 0..<4:
      let id = rng.percent(85) ? pick(domainIDs) : UInt16(truncatingIfNeeded: rng.next())
      let by = rng.percent(85) ? dom0 : caller
      return .domainCreate(caller: by, domain: DomID(id), maxPages: pick([8, 12, 16, 16, 4, -1]), vcpus: pick([1, 1, 2, 0, 5]))
    case 4..<6:
      let by = rng.percent(85) ? dom0 : caller
      return .domainDestroy(caller: by, target: DomID(rng.percent(70) ? other : pick(domainIDs)))
    case 6..<14:
      return .populatePhysmap(caller: caller, count: pick([1, 1, 2, 3, 4, 0, -1, 1 << 40]))
    case 14..<18:
      var list = [frame(own, n)]
      if rng.percent(40) { list.append(rng.percent(30) ? list[0] : frame(own, n)) }
      return .decreaseReservation(caller: caller, frames: list)
    case 18..<48:
      var reqs: [MMURequest] = []
      for _ in 0..<(rng.percent(70) ? 1 : 1 + rng.below(6)) {
        let table = frame(own, n, ownPercent: 90)
        switch rng.below(100) {
        case 0..<5: reqs.append(.machphys(table, pfn: UInt64(rng.below(8))))
        case 5..<7: reqs.append(MMURequest(ptr: table.raw << 12 | UInt64(2 + rng.below(6)), val: 0))
        default:
          let i = pick([0, 0, 0, 1, 1, 2, 255, 256, 511])
          reqs.append(.normal(table, i, entry(mm, table: table, own: own, other: others)))
        }
      }
      return .mmuUpdate(caller: caller, requests: reqs)
    case 48..<63:
      var ops: [MMUExtCommand] = []
      for _ in 0..<(rng.percent(70) ? 1 : 1 + rng.below(4)) {
        let f = frame(own, n, ownPercent: 90)
        switch rng.below(100) {
        case 0..<40:
          let t = mm.frameRecord(f)?.type ?? 0
          let level = t >= 1 && t <= 4 && rng.percent(50) ? Int(t) : 1 + rng.below(4)
          ops.append(.pinTable(level: level, f))
        case 40..<65: ops.append(.unpinTable(f))
        case 65..<90: ops.append(.newBaseptr(f))
        case 90..<95: ops.append(.tlbFlushLocal)
        case 95..<98: ops.append(.invlpgLocal(va: va()))
        default: ops.append(.unsupported(UInt32(8 + rng.below(20))))  // ENOSYS
        }
      }
      return .mmuextOp(caller: caller, ops: ops)
    case 63..<70:
      let l1s = own.filter { mm.frameRecord($0)?.type == DecisionPageType.l1 }
      let target = l1s.isEmpty || rng.percent(50) ? frame(own, n) : pick(l1s)
      return .updateVaMapping(caller: caller, va: va(), val: target.raw << 12 | flags(), flags: UInt64(rng.below(4)))
    case 70..<73:
      return .grantSetupTable(caller: caller, frames: pick([1, 1, 2, 0, 5, -1]))
    case 73..<81:
      let grantee = rng.percent(8) ? DomID(d) : DomID(other)
      return .grantAccess(
        caller: caller, ref: grantRef(&self), grantee: grantee, frame: frame(own, n), readOnly: rng.percent(40))
    case 81..<84:
      return .grantEnd(caller: caller, ref: grantRef(&self))
    case 84..<92:
      if !offered.isEmpty && rng.percent(85) {
        let (g, r, ro) = pick(offered)
        return .grantMap(caller: caller, granter: g, ref: r, readOnly: ro || rng.percent(30))
      }
      return .grantMap(
        caller: caller, granter: DomID(other), ref: GrantRef(UInt32(rng.below(4))), readOnly: rng.percent(40))
    case 92..<96:
      let h = !handles.isEmpty && rng.percent(80) ? pick(handles) : GrantHandle(UInt32(rng.below(4)))
      return .grantUnmap(caller: caller, handle: h)
    default:
      func pointer(_ mm: MemoryManager<M, F>, _ g: inout Self) -> CopyPointer {
        if !offered.isEmpty && g.rng.percent(50) {
          let (gr, r, _) = g.pick(offered)
          return .granted(granter: gr, ref: r)
        }
        return g.rng.percent(70)
          ? .local(g.frame(own, n))
          : .granted(granter: DomID(g.pick(g.domainIDs)), ref: GrantRef(UInt32(g.rng.below(4))))
      }
      return .grantCopy(caller: caller, source: pointer(mm, &self), dest: pointer(mm, &self))
    }
  }
}
