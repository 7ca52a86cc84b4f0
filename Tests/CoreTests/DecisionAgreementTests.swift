// Decision functions (Sources/Core/Decision) at UInt64 against the Spec, on random inputs.
//
// The Z3 obligations prove the symbolic restatement of the Spec; these tests tie that
// restatement to the Spec's actual code: pteCheck must return the errno that
// `SpecState.mmuUpdateOne` refuses with (or 0 when it succeeds) for random entries, levels and
// target-frame situations; grantMapCheck the errno of `grantMap`.

import BulkheadCore
import BulkheadSpec
import Testing

private typealias DomID = BulkheadSpec.DomID
private typealias VCPUID = BulkheadSpec.VCPUID
private typealias GrantRef = BulkheadSpec.GrantRef

/// A small deterministic generator (xorshift64*), so failures reproduce.
private struct Xorshift {
  var state: UInt64
  mutating func next() -> UInt64 {
    state ^= state >> 12
    state ^= state << 25
    state ^= state >> 27
    return state &* 0x2545_F491_4F6C_DD1D
  }
  mutating func below(_ n: UInt64) -> UInt64 { next() % n }
  mutating func coin() -> Bool { next() & 1 == 1 }
}

private let dom0v = VCPUID(.dom0, 0)
private let dom1 = DomID(1)
private let dom1v = VCPUID(dom1, 0)

private func ownerWord(_ o: FrameOwner) -> UInt64 {
  switch o {
  case .free: return DecisionOwner.free
  case .hypervisor: return DecisionOwner.hypervisor
  case .domain(let d): return DecisionOwner.domain(d.raw)
  }
}

private func typeWord(_ t: PageType) -> UInt64 {
  switch t {
  case .none: return DecisionPageType.none
  case .l1: return DecisionPageType.l1
  case .l2: return DecisionPageType.l2
  case .l3: return DecisionPageType.l3
  case .l4: return DecisionPageType.l4
  case .writable: return DecisionPageType.writable
  case .segdesc: return DecisionPageType.segdesc
  case .shared: return DecisionPageType.shared
  }
}

private func errnoWord<R>(_ r: Result<R, XenErrno>) -> UInt64 {
  switch r {
  case .success: return 0
  case .failure(let e): return UInt64(e.rawValue)
  }
}

/// dom0 with a pinned table of `level` and dom1 alive, both with memory; returns the table.
private func machine(level: Level) -> (SpecState, BulkheadSpec.MFN) {
  var s = SpecState()
  s = s.populatePhysmap(caller: dom0v, count: 8).state
  s = s.domainCreate(caller: dom0v, domain: dom1, maxPages: 8, vcpus: 1).state
  s = s.populatePhysmap(caller: dom1v, count: 8).state
  let table = s.ownedFrames(.dom0)[0]
  s = s.mmuextOpOne(caller: dom0v, .pinTable(level, table)).state
  return (s, table)
}

@Suite("Decision functions agree with the Spec")
struct DecisionAgreementTests {
  static let levels: [Level] = [.l1, .l2, .l3, .l4]
  static let types: [PageType] = [.none, .l1, .l2, .l3, .l4, .writable]

  @Test("pteCheck returns mmuUpdate's errno", arguments: levels)
  func pteCheckAgrees(level: Level) {
    var rng = Xorshift(state: 0x9E37_79B9_7F4A_7C15 &+ UInt64(level.rawValue))
    var verdicts: [UInt64: Int] = [:]
    defer {
      // The generator must reach acceptance and each kind of refusal, or the test proves little.
      #expect((verdicts[0] ?? 0) > 20, "accepted: \(verdicts)")
      #expect((verdicts[DecisionErrno.EINVAL] ?? 0) > 20 && (verdicts[DecisionErrno.EPERM] ?? 0) > 5, "\(verdicts)")
    }
    for round in 0..<1500 {
      var (s, table) = machine(level: level)
      // The target: the table itself, a dom0 frame, a dom1 frame, a hypervisor, free or missing frame.
      let choice = rng.below(6)
      let target: BulkheadSpec.MFN
      switch choice {
      case 0: target = table
      case 1: target = s.ownedFrames(.dom0)[1 + Int(rng.below(7))]
      case 2: target = s.ownedFrames(dom1)[Int(rng.below(8))]
      case 3: target = BulkheadSpec.MFN(rng.below(8))
      case 4: target = BulkheadSpec.MFN(63)
      default: target = BulkheadSpec.MFN(64 + rng.below(1 << 20))
      }
      // dom1 may grant its frame to dom0 (read-only or writable) and dom0 may map it.
      if choice == 2 && rng.coin() {
        let ro = rng.coin()
        s = s.grantSetupTable(caller: dom1v, frames: 1).state
        s = s.grantAccess(caller: dom1v, ref: GrantRef(0), grantee: .dom0, frame: target, readOnly: ro).state
        s = s.grantMap(caller: dom0v, granter: dom1, ref: GrantRef(0), readOnly: ro || rng.coin()).state
      }
      // Give the target a random type situation (the decision is local to these fields).
      if choice != 0, choice < 5, s.frames[target] != nil, case .domain = s.frame(target).owner, rng.coin() {
        let t = Self.types[Int(rng.below(UInt64(Self.types.count)))]
        s.frames[target]!.type = t
        s.frames[target]!.typeCount = t == .none ? 0 : 1 + Int(rng.below(3))
        s.frames[target]!.validated = t.level != nil
      }
      // A random entry: mostly plausible flags, sometimes any 64-bit value.
      var flags = rng.next() & (rng.below(4) == 0 ? ~PTE.frameMask : 0x8000_0000_0000_0FFF)
      if rng.below(3) != 0 { flags |= PTE.present }
      let entry = rng.below(8) == 0 ? rng.next() : PTE.make(target, flags)
      let frameOfEntry = PTE.frame(entry)
      let f = s.frame(frameOfEntry)

      let got = pteCheck(
        entry: entry, level: UInt64(level.rawValue), requester: DecisionOwner.domain(0),
        frameCount: UInt64(s.config.frameCount),
        targetOwner: s.exists(frameOfEntry) ? ownerWord(f.owner) : DecisionOwner.free,
        targetType: typeWord(f.type), targetTypeCount: UInt64(f.typeCount),
        grantRead: s.grantAllows(.dom0, frameOfEntry, writable: false),
        grantWrite: s.grantAllows(.dom0, frameOfEntry, writable: true))
      let index = Int(rng.below(512))
      let want = errnoWord(s.mmuUpdateOne(caller: dom0v, .normal(table, index, entry)).result)
      verdicts[want, default: 0] += 1
      #expect(
        got == want,
        "round \(round) \(level) entry 0x\(String(entry, radix: 16)) target \(f): core \(got), Spec \(want)")
      if got != want { return }
    }
  }

  @Test("credit arithmetic matches the Spec's formulas on its whole range")
  func creditArithmetic() {
    let config = SpecConfig()
    let bound = config.creditBound
    for credit in -bound...bound {
      let c = UInt64(bitPattern: Int64(credit))
      let tick = creditAfterTick(
        credit: c, creditsPerTick: UInt64(config.creditsPerTick), creditBound: UInt64(bound))
      #expect(Int64(bitPattern: tick) == Int64(max(credit - config.creditsPerTick, -bound)))
      for earned in stride(from: 0, through: config.creditsPerAccount, by: 7) {
        let acc = creditAfterAccounting(credit: c, earned: UInt64(earned), creditBound: UInt64(bound))
        #expect(Int64(bitPattern: acc) == Int64(min(max(credit + earned, -bound), bound)))
      }
    }
  }

  @Test("decodeMMUUpdatePointer matches MMUUpdate.normal")
  func decodePointer() {
    var rng = Xorshift(state: 42)
    for _ in 0..<10_000 {
      let mfn = BulkheadSpec.MFN(rng.below(1 << 40))
      let index = Int(rng.below(512))
      let r = MMUUpdate.normal(mfn, index, 0)
      let d = decodeMMUUpdatePointer(ptr: r.ptr)
      #expect(d.command == MMUUpdate.normalPTUpdate && d.frame == mfn.raw && d.index == UInt64(index))
    }
  }
}
