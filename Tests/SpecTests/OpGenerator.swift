import BulkheadSpec

/// A tiny seeded PRNG (SplitMix64), so every random sequence can be replayed from its seed.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Which frame condition (`transitionWrites`) an operation is checked against.
enum FrameCondition {
  /// The one named by the operation's kind.
  case ofKind
  /// The one of this transition (mmuextOp split by operation, machphys as mmuUpdate).
  case of(String)
  /// None: the operation must write nothing (TLB flushes).
  case writesNothing
}

/// One randomly generated operation: its kind (for statistics) and how to apply it.
struct GeneratedOp {
  var kind: String
  var frameCondition: FrameCondition = .ofKind
  var apply: (SpecState) -> (accepted: Bool, state: SpecState)
}

/// Generates operations biased toward edge cases: mostly the caller's own frames (so tables
/// really get built), but also foreign, free and hypervisor frames; entry values with every
/// interesting flag combination; handles, ports and refs from small ranges so they collide.
struct OpGenerator {
  var rng: SplitMix

  init(seed: UInt64) { rng = SplitMix(seed: seed) }

  mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
  mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }

  /// A frame: 70% one the caller owns (page tables first), else any frame of the machine.
  mutating func frame(_ s: SpecState, for d: DomID) -> MFN {
    let own = s.ownedFrames(d)
    if !own.isEmpty && chance(0.7) { return pick(own) }
    return MFN(UInt64.random(in: 0..<UInt64(s.config.frameCount + 2), using: &rng))
  }

  /// A page-table entry value pointing at `target`, with interesting flags.
  mutating func entry(_ target: MFN) -> UInt64 {
    let flags: [UInt64] = [
      PTE.present | PTE.user,
      PTE.present | PTE.writable | PTE.user,
      PTE.present | PTE.writable | PTE.user,
      PTE.present | PTE.writable | PTE.pageSize,
      PTE.present | PTE.user | (1 << 52),
      PTE.present | PTE.global | PTE.accessed | PTE.dirty | PTE.nx,
      0,
      PTE.writable | PTE.pageSize | (1 << 60),
    ]
    return PTE.make(target, pick(flags))
  }

  mutating func index() -> Int { pick([0, 0, 1, 1, 2, 3, 255, 256, 511]) }

  /// The next operation for state `s`.
  mutating func next(_ s: SpecState) -> GeneratedOp {
    let domains = [DomID.dom0, DomID(1), DomID(2), DomID(3), DomID(4)]
    let d = pick(domains)
    let caller = VCPUID(d, pick([0, 0, 0, 1]))
    let other = pick(domains)
    func single<R>(_ t: Transition<R>) -> (Bool, SpecState) {
      if case .success = t.result { return (true, t.state) }
      return (false, t.state)
    }
    // From boot only dom0 exists, and it owns nothing: without these nudges one run in ten
    // does little but tick. They create the domain a step names, and give it a few frames.
    if d != .dom0 && s.domains[d] == nil && chance(0.15) {
      return GeneratedOp(kind: "domainCreate") {
        single($0.domainCreate(caller: VCPUID(.dom0, 0), domain: d, maxPages: 8, vcpus: 2))
      }
    }
    if s.liveDomain(d) != nil && s.ownedFrames(d).count < 3 && chance(0.15) {
      let n = pick([1, 2, 3])
      return GeneratedOp(kind: "populatePhysmap") { single($0.populatePhysmap(caller: caller, count: n)) }
    }
    let roll = Int.random(in: 0..<100, using: &rng)
    switch roll {
    case 0..<22:
      let table = frame(s, for: d)
      let i = index()
      let v = entry(frame(s, for: chance(0.85) ? d : other))
      return GeneratedOp(kind: "mmuUpdate") { single($0.mmuUpdateOne(caller: caller, .normal(table, i, v))) }
    case 22..<24:
      let f = frame(s, for: d)
      return GeneratedOp(kind: "machphys", frameCondition: .of("mmuUpdate")) { single($0.mmuUpdateOne(caller: caller, .machphys(f, pfn: 7))) }
    case 24..<28:
      let va = pick([0, 0x1000, 0x2000, VirtualAddress.make(l4: 511, l3: 0, l2: 0, l1: 0), 0x8000_0000_0000])
      let v = entry(frame(s, for: d))
      return GeneratedOp(kind: "updateVaMapping") { single($0.updateVaMapping(caller: caller, va: va, val: v)) }
    case 28..<38:
      let f = frame(s, for: d)
      let op: MMUExtOp = pick([
        .pinTable(pick(Level.allCases), f), .pinTable(pick(Level.allCases), f), .unpinTable(f),
        .unpinTable(f), .newBaseptr(f), .tlbFlushLocal, .invlpgLocal(va: 0),
      ])
      let condition: FrameCondition
      switch op {
      case .pinTable(let level, _): condition = .of(level == .l1 ? "mmuextOpPinL1" : "mmuextOpPinL2-L4")
      case .unpinTable(let f): condition = .of(s.frame(f).type == .l1 ? "mmuextOpUnpinL1" : "mmuextOpUnpinL2-L4")
      case .newBaseptr: condition = .of("mmuextOpNewBaseptr")
      case .tlbFlushLocal, .invlpgLocal: condition = .writesNothing
      }
      return GeneratedOp(kind: "mmuextOp", frameCondition: condition) { single($0.mmuextOpOne(caller: caller, op)) }
    case 38..<42:
      let n = pick([0, 1, 1, 2, 3, 20])
      return GeneratedOp(kind: "populatePhysmap") { single($0.populatePhysmap(caller: caller, count: n)) }
    case 42..<46:
      let fs = chance(0.8) ? [frame(s, for: d)] : [frame(s, for: d), frame(s, for: d)]
      return GeneratedOp(kind: "decreaseReservation") { single($0.decreaseReservation(caller: caller, frames: fs)) }
    case 46..<49:
      let target = pick([DomID(1), DomID(2), DomID(3), DomID(4)])
      let c = chance(0.8) ? VCPUID(.dom0, 0) : caller
      switch Int.random(in: 0..<4, using: &rng) {
      case 0:
        return GeneratedOp(kind: "domainCreate") {
          single($0.domainCreate(caller: c, domain: target, maxPages: 8, vcpus: 2))
        }
      case 1: return GeneratedOp(kind: "domainUnpause") { single($0.domainUnpause(caller: c, target: target)) }
      case 2: return GeneratedOp(kind: "domainPause") { single($0.domainPause(caller: c, target: target)) }
      default: return GeneratedOp(kind: "domainDestroy") { single($0.domainDestroy(caller: c, target: target)) }
      }
    case 49..<60:
      let ref = GrantRef(UInt32.random(in: 0..<3, using: &rng))
      let ro = chance(0.4)
      switch Int.random(in: 0..<6, using: &rng) {
      case 0:
        let n = pick([0, 1, 1, 9])
        return GeneratedOp(kind: "grantSetupTable") { single($0.grantSetupTable(caller: caller, frames: n)) }
      case 1:
        let f = frame(s, for: d)
        let live = s.domains.keys.filter { $0 != d && s.liveDomain($0) != nil }.sorted()
        let grantee = !live.isEmpty && chance(0.8) ? pick(live) : other
        return GeneratedOp(kind: "grantAccess") {
          single($0.grantAccess(caller: caller, ref: ref, grantee: grantee, frame: f, readOnly: ro))
        }
      case 2:
        let mine = (s.grantTables[d]?.entries.keys).map { Array($0).sorted() } ?? []
        let r = !mine.isEmpty && chance(0.8) ? pick(mine) : ref
        return GeneratedOp(kind: "grantEnd") { single($0.grantEnd(caller: caller, ref: r)) }
      case 3:
        // Mostly an entry that really names the caller.
        var offers: [(VCPUID, DomID, GrantRef)] = []
        for (g, t) in s.grantTables.sorted(by: { $0.key < $1.key }) {
          for (r, e) in t.entries.sorted(by: { $0.key < $1.key }) { offers.append((VCPUID(e.grantee, 0), g, r)) }
        }
        let (c, g, r) = !offers.isEmpty && chance(0.8) ? pick(offers) : (caller, other, ref)
        return GeneratedOp(kind: "grantMap") {
          single($0.grantMap(caller: c, granter: g, ref: r, readOnly: ro))
        }
      case 4:
        let held = (s.grantMappings[d]?.keys).map { Array($0).sorted() } ?? []
        let h = !held.isEmpty && chance(0.8) ? pick(held) : GrantHandle(UInt32.random(in: 0..<2, using: &rng))
        return GeneratedOp(kind: "grantUnmap") { single($0.grantUnmap(caller: caller, handle: h)) }
      default:
        let src: CopyPointer = chance(0.5) ? .local(frame(s, for: d)) : .granted(granter: other, ref: ref)
        let dst: CopyPointer = chance(0.5) ? .local(frame(s, for: d)) : .granted(granter: other, ref: ref)
        return GeneratedOp(kind: "grantCopy") { single($0.grantCopy(caller: caller, source: src, dest: dst)) }
      }
    case 60..<72:
      let mine = (s.ports[d]?.keys).map { Array($0).sorted() } ?? []
      let port = !mine.isEmpty && chance(0.7) ? pick(mine) : Port(UInt32.random(in: 0..<4, using: &rng))
      var offers: [(VCPUID, DomID, Port)] = []
      for (r, t) in s.ports.sorted(by: { $0.key < $1.key }) {
        for (p, ch) in t.sorted(by: { $0.key < $1.key }) {
          if case .unbound(let to) = ch.binding { offers.append((VCPUID(to, 0), r, p)) }
        }
      }
      let (binder, remote, remotePort) = !offers.isEmpty && chance(0.8) ? pick(offers) : (caller, other, port)
      switch Int.random(in: 0..<7, using: &rng) {
      case 0: return GeneratedOp(kind: "evtchnAllocUnbound") { single($0.evtchnAllocUnbound(caller: caller, remote: other)) }
      case 1:
        return GeneratedOp(kind: "evtchnBindInterdomain") {
          single($0.evtchnBindInterdomain(caller: binder, remote: remote, remotePort: remotePort))
        }
      case 2:
        let virq = UInt32(pick([0, 1, 30]))
        return GeneratedOp(kind: "evtchnBindVirq") { single($0.evtchnBindVirq(caller: caller, virq: virq)) }
      case 3: return GeneratedOp(kind: "evtchnSend") { single($0.evtchnSend(caller: caller, port: port)) }
      case 4: return GeneratedOp(kind: "evtchnClose") { single($0.evtchnClose(caller: caller, port: port)) }
      case 5: return GeneratedOp(kind: "evtchnMask") { single($0.evtchnMask(caller: caller, port: port)) }
      default: return GeneratedOp(kind: "evtchnUnmask") { single($0.evtchnUnmask(caller: caller, port: port)) }
      }
    default:
      switch Int.random(in: 0..<10, using: &rng) {
      case 0...2: return GeneratedOp(kind: "tick") { single($0.tick()) }
      case 3: return GeneratedOp(kind: "account") { single($0.account()) }
      case 4: return GeneratedOp(kind: "wake") { single($0.wake(caller)) }
      case 5: return GeneratedOp(kind: "block") { single($0.block(caller: caller)) }
      case 6: return GeneratedOp(kind: "yield") { single($0.yield(caller: caller)) }
      case 7: return GeneratedOp(kind: "raiseVirq") { single($0.raiseVirq(d, virq: 0)) }
      case 8:
        let w = pick([1, 256, 1024, 70000])
        let c = chance(0.8) ? VCPUID(.dom0, 0) : caller
        return GeneratedOp(kind: "setWeight") { single($0.setWeight(caller: c, target: other, weight: w)) }
      default:
        let cap = pick([0, 10, 50, 100, 101])
        let c = chance(0.8) ? VCPUID(.dom0, 0) : caller
        return GeneratedOp(kind: "setCap") { single($0.setCap(caller: c, target: other, cap: cap)) }
      }
    }
  }
}
