// The references L2–L4 entries hold, enumerated (decision 0008, items 1 and 3). `<op>_upperIndex`,
// `<op>_upperSlots`, `<op>_upperCounted`: parts of referenceCounts, across every step that moves
// an upper entry's references or the non-CR3 ext counts.
//
// A present L2–L4 entry holds one general and one typed reference on its target
// (getEntryReferences at level ≥ 2). The model counts them Hyperkernel's way, as the CR3s: a
// *holder* h is a 64-bit id with a ghost target, `upper.target[h]` (a frame, or `cr3None`: it
// holds nothing). For every frame f, `upper.slot[f, k]` for k < `upper.count[f]` are the holders
// whose target is f, and `upper.index[h]` is h's position (upperIndex, upperSlots: count[f] is
// the number of them). A frame's non-CR3 ext references are then exactly (upperCounted)
//
//   cr3.otherRefs[f]  == upper.count[f] + cr3.grantRefs[f]  + pendingPut[f]
//   cr3.otherTyped[f] == upper.count[f] + cr3.grantTyped[f]
//
// where `grant*` are the grant mappings' (their live mapping objects: GrantMappingObjects.swift) and
// `pendingPut[f]` the general references of released entries whose putPage waits for f's own
// un-validation (`mmuextOpUnpinL2-L4Unvalidate` at count 0, then `…UnvalidatePut`).
//
// Which holder is whose: the slot encoding `t << 9 | i` is the holder of entry i of upper table
// t; an entry update's new entry takes its references under a fresh holder before it is written
// (a pending take), and `mmuUpdateUpperSetEntry` relabels: the slot's holder becomes a fresh
// pending release of the old entry, the pending take becomes the slot's; newBaseptr's old root
// unit becomes a fresh pending release too. A release step names the holder it releases
// (its target is the entry's frame): that the holder exists is what the enumeration gives
// (`mmuextOpUnpinL2-L4Unvalidate_holderReferences`: its target's counts are ≥ 1), in place of
// the counts the steps assumed before. That the holder a step names is the one its entry's
// references are under (present entry ⇔ held slot, between hypercalls) is the loop and call
// structure's, argued with the steps' order (proofs/README.md): it needs the L2–L4 tables'
// cursors, which the model does not have.

import BulkheadCore
import Z3Kit

/// Objects holding references on frames, enumerated per frame (Hyperkernel's bijection): the
/// CR3s (`SymCR3s.vcpus`) and the upper-entry holders (`SymPageTables.upper`).
struct SymEnumeration {
  /// The frame an object holds references on, or `cr3None`.
  var target: Field
  /// Per frame f: how many objects target it, which (`slot[f, k]`, k < count[f]), and per
  /// object its position in its target's enumeration.
  var count: Field
  var slot: Field2
  var index: Field

  init(_ name: String, target: String = "target") {
    self.target = .fresh("\(name).\(target)")
    count = .fresh("\(name).count")
    slot = .fresh("\(name).slot")
    index = .fresh("\(name).index")
  }

  /// At object x: one with a target sits at its position, below its target's count.
  func indexAt(_ x: BV) -> Z3Bool {
    let f = target[x]
    return (f .!= cr3None).implies(index[x] .< count[f] && slot[f, index[x]] .== x)
  }

  /// At position k of frame f: it holds an object whose target is f, at that position.
  func slotsAt(_ f: BV, _ k: BV) -> Z3Bool {
    let x = slot[f, k]
    return (k .< count[f]).implies(f .!= cr3None && target[x] .== f && index[x] .== k)
  }
}

// MARK: invariants, at one point (holder h, frame f, enumeration position (f, k))

/// `referenceCounts`, the upper enumeration at holder h.
func upperIndexAt(_ s: SymState, _ h: BV) -> Z3Bool { s.pt.upper.indexAt(h) }

/// `referenceCounts`, the upper enumeration at position k of frame f.
func upperSlotsAt(_ s: SymState, _ f: BV, _ k: BV) -> Z3Bool { s.pt.upper.slotsAt(f, k) }

/// `referenceCounts` at frame f: its non-CR3 ext references are its holders', its grant
/// mappings' and its pending putPages.
func upperCountedAt(_ s: SymState, _ f: BV) -> Z3Bool {
  let u = s.pt.upper, c = s.pt.cr3
  return c.otherRefs[f] .== u.count[f] &+ c.grantRefs[f] &+ s.pt.pendingPut[f] && c.otherTyped[f] .== u.count[f] &+ c.grantTyped[f]
}

// MARK: ghost updates

/// The enumerations the moves below change (all but the CR3s', which newBaseptr's own goals
/// prove): the upper holders, and the grant mappings by frame and by entry
/// (GrantMappingObjects.swift).
typealias EnumerationPath = WritableKeyPath<SymState, SymEnumeration>
var movedEnumerations: [EnumerationPath] { [\.pt.upper, \.pt.mapFrameR, \.pt.mapFrameW, \.pt.mapKeyR, \.pt.mapKeyW] }

extension SymEnumeration {
  /// Object h leaves its target a's enumeration (when `removing`) and joins b's (when `adding`):
  /// its target becomes b, or nothing.
  func moving(_ h: BV, from a: BV, removing: Z3Bool, to b: BV, adding: Z3Bool) -> SymEnumeration {
    var n = self
    (n.count, n.slot, n.index) = moveInEnumeration(
      count: count, slot: slot, index: index, x: h, from: a, removing: removing, to: b, adding: adding)
    if removing.constant != false || adding.constant != false {
      n.target = target.set(h, BV.ite(adding, b, BV.ite(removing, cr3None, target[h])))
    }
    return n
  }

  /// Object `from`'s place passes to object `to` (fresh), at the same position of the same
  /// enumeration, when c: no count changes.
  func relabeling(_ from: BV, to: BV, when c: Z3Bool) -> SymEnumeration {
    var n = self
    let f = target[from], k = index[from]
    n.slot = slot.set(f, k, to, when: c)
    n.index = index.set(to, k, when: c)
    n.target = target.set(from, cr3None, when: c).set(to, f, when: c)
    return n
  }
}

/// `SymEnumeration.moving` on enumeration `e` of s (the upper holders by default).
func symMoveHolder(
  _ s: SymState, _ h: BV, from a: BV, removing: Z3Bool, to b: BV, adding: Z3Bool, in e: EnumerationPath = \.pt.upper
) -> SymState {
  var n = s
  n[keyPath: e] = s[keyPath: e].moving(h, from: a, removing: removing, to: b, adding: adding)
  return n
}

/// `SymEnumeration.relabeling` on the upper holders.
func symRelabelHolder(_ s: SymState, _ from: BV, to: BV, when c: Z3Bool) -> SymState {
  var n = s
  n.pt.upper = s.pt.upper.relabeling(from, to: to, when: c)
  return n
}

/// One change of an enumeration (the upper holders', by default). A step's changes are a list of
/// these (`PTStep.holderMoves`, per case): `<op>_upperEnumeration` (`_mappingEnumeration`)
/// proves the step makes exactly them, each from a state that meets its precondition, and
/// `holder<Kind>_upperIndex` / `_upperSlots` prove once, for any objects and frames, that each
/// keeps its enumeration. (The lemmas are proved on the upper holders' fields; every enumeration
/// is four uninterpreted functions of the same sorts, so they hold for each: a renaming.)
enum HolderMove {
  /// A fresh object joins b's enumeration (a take).
  case enroll(BV, at: BV, in: EnumerationPath = \.pt.upper)
  /// An object leaves its target a's enumeration (a release).
  case retire(BV, from: BV, in: EnumerationPath = \.pt.upper)
  /// An object's place passes to a fresh one (setEntry's relabels).
  case relabel(BV, to: BV, in: EnumerationPath = \.pt.upper)

  /// The frames (or keys) whose enumeration it changes.
  var frames: [BV] {
    switch self {
    case .enroll(_, let b, _): return [b]
    case .retire(_, let a, _): return [a]
    case .relabel: return []
    }
  }

  func apply(_ s: SymState) -> SymState {
    var n = s
    switch self {
    case .enroll(let h, let b, let e): n[keyPath: e] = s[keyPath: e].moving(h, from: b, removing: .false, to: b, adding: .true)
    case .retire(let h, let a, let e): n[keyPath: e] = s[keyPath: e].moving(h, from: a, removing: .true, to: a, adding: .false)
    case .relabel(let h, let x, let e): n[keyPath: e] = s[keyPath: e].relabeling(h, to: x, when: .true)
    }
    return n
  }

  /// What the move needs: a fresh object has no target; a leaving one has its frame; frames are
  /// no `cr3None`. (And a count that grows is far below 2^64: trusted, as `countsBounded`, and
  /// assumed by the lemmas.)
  func precondition(_ s: SymState) -> Z3Bool {
    switch self {
    case .enroll(let h, let b, let e): return s[keyPath: e].target[h] .== cr3None && b .!= cr3None
    case .retire(let h, let a, let e): return s[keyPath: e].target[h] .== a && a .!= cr3None
    case .relabel(let h, let x, let e): return s[keyPath: e].target[h] .!= cr3None && s[keyPath: e].target[x] .== cr3None
    }
  }
}

/// What a holder targeting b implies of b's counts (the release steps' hypotheses, proved from
/// the enumeration by `…_holderReferences`): one general and one typed ext reference, no CR3's.
func holderReferences(_ s: SymState, _ b: BV) -> [Z3Bool] {
  [s.pt.extRefs[b] .>= 1, s.pt.extTyped[b] .>= 1, s.pt.cr3.otherRefs[b] .>= 1, s.pt.cr3.otherTyped[b] .>= 1]
}

/// What a pending putPage on b implies (`…_pendingReference`): one general ext reference, no CR3's.
func pendingReference(_ s: SymState, _ b: BV) -> [Z3Bool] { [s.pt.extRefs[b] .>= 1, s.pt.cr3.otherRefs[b] .>= 1] }

// MARK: goals

/// Which part of the upper enumeration a goal claims.
enum HolderPart: String { case index = "upperIndex", slots = "upperSlots", counted = "upperCounted" }

/// The holders and frames a step's enumeration moves touch: the goal assumes the invariants at
/// them (and at each frame's last position, whose holder may take a leaving one's place).
struct HolderSupport {
  var holders: [BV] = []
  var frames: [BV] = []
}

/// `<op>_<part>` at a fresh point after the step (holder, frame, or position), from the part at
/// that point before it and the enumeration at the step's support, with position arithmetic
/// (`positionArithmetic`) at every position and count they read. By the step's cases.
/// `assume` false: the mutant without the induction hypothesis.
func holderGoal(_ part: HolderPart, _ step: PTStep, support: @escaping (SymState) -> HolderSupport, assume: Bool = true) -> Goal {
  if !step.cases.isEmpty { return .byCases(step.cases.map { holderGoal(part, $0, support: support, assume: assume) }) }
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let u = s.pt.upper
  let w = BV("claim.holder"), cf = BV("claim.frame"), ck = BV("claim.position")
  let sup = support(s)
  // (not the step's checks: the enumeration does not rest on them, and fewer hypotheses are
  // still a proof; the cases' assumptions, which decide the step's `if`s)
  var hyps = configRanges(s) + step.hypotheses(s) + r.assumptions
  let lasts = sup.frames.map { (f: $0, k: u.count[$0] &- 1) }
  if part != .counted {
    hyps += sup.holders.map { upperIndexAt(s, $0) }
    hyps += lasts.flatMap { [upperSlotsAt(s, $0.f, $0.k), upperIndexAt(s, u.slot[$0.f, $0.k])] }
  }
  // position arithmetic at the positions the claim compares with the counts it reads
  func arithmetic(_ claimed: BV, _ frame: BV) -> [Z3Bool] {
    let counts = (sup.frames + [frame]).map { u.count[$0] }
    let positions = [claimed] + sup.holders.map { u.index[$0] } + lasts.map(\.k) + counts
    return counts.map { $0 .< (1 << 58) } + positions.flatMap { p in counts.map { positionArithmetic(p, $0) } }
  }
  var claim = Z3Bool.true
  switch part {
  case .index:
    claim = upperIndexAt(next, w)
    hyps += arithmetic(u.index[w], u.target[w])
    if assume { hyps.append(upperIndexAt(s, w)) }
  case .slots:
    claim = upperSlotsAt(next, cf, ck)
    hyps += arithmetic(ck, cf)
    if assume { hyps.append(upperSlotsAt(s, cf, ck)) }
  case .counted:
    // at each touched frame (its updates' `if`s decided: sums of the same terms), and at any
    // other, as `cr3CountedGoal`
    let touched = step.claimFrames(s) + step.holderMoves(s).flatMap(\.frames)
    let points = touched.map { ($0, Z3Bool.true) } + [(cf, all(touched.map { cf .!= $0 }))]
    let goals = points.map { f, fresh in
      Goal(
        claim: fresh.implies(upperCountedAt(next, f)), hypotheses: hyps + (assume ? [upperCountedAt(s, f)] : []),
        witnesses: step.witnesses + [.word("claim.frame", cf)], logic: "QF_UFBV")
    }
    return goals.count == 1 ? goals[0] : .byCases(goals)
  }
  let witnesses = step.witnesses + [.word("claim.holder", w), .word("claim.frame", cf), .word("claim.position", ck)]
  return Goal(claim: claim, hypotheses: hyps, witnesses: witnesses, logic: Solver.smtCore)
}

/// `<op>_upperCounted`, with weakened steps as mutants (none: not assumed before the step).
func countedObligation(_ op: String, step: @escaping @Sendable () -> PTStep, mutants: [(String, @Sendable () -> PTStep)] = []) -> Obligation {
  let none: @Sendable (SymState) -> HolderSupport = { _ in HolderSupport() }
  let ms =
    mutants.isEmpty
    ? [Mutant("noInductionHypothesis") { holderGoal(.counted, step(), support: none, assume: false) }]
    : mutants.map { name, weak in Mutant(name) { holderGoal(.counted, weak(), support: none) } }
  return Obligation("\(op)_upperCounted", mutants: ms) { holderGoal(.counted, step(), support: none) }
}

/// The kinds of `HolderMove`, for the lemmas.
private enum MoveKind: String, CaseIterable { case enroll = "holderEnroll", retire = "holderRetire", relabel = "holderRelabel" }

/// A move of each kind, over fresh holders and frames, as a step (its precondition the hypothesis).
private func moveStep(_ k: MoveKind) -> (step: PTStep, support: HolderSupport) {
  let h = BV("holder"), x = BV("other"), a = BV("from"), b = BV("to")
  let (m, sup, extra): (HolderMove, HolderSupport, [Z3Bool]) =
    switch k {
    case .enroll: (.enroll(h, at: b), HolderSupport(holders: [h], frames: [b]), [])
    case .retire: (.retire(h, from: a), HolderSupport(holders: [h], frames: [a]), [])
    case .relabel: (.relabel(h, to: x), HolderSupport(holders: [h, x]), [])
    }
  let step = PTStep(
    transition: { s in (Refusals(), m.apply(s)) }, hypotheses: { s in [m.precondition(s)] + extra }, slots: [], frames: { _ in [] },
    witnesses: [.word("holder", h), .word("other", x), .word("from", a), .word("to", b)])
  return (step, sup)
}

/// `holder<Kind>_<part>`: the move keeps upperIndex / upperSlots, at any point. Mutants: the
/// invariant not assumed at the claimed point; for upperSlots and a release, the move's
/// precondition dropped (an enroll's or relabel's precondition protects the holder's old place,
/// which only upperSlots reads).
private func moveLemmaObligation(_ k: MoveKind, _ part: HolderPart) -> Obligation {
  @Sendable func goal(precondition: Bool = true, assume: Bool = true) -> Goal {
    var (step, sup) = moveStep(k)
    if !precondition { step.hypotheses = { _ in [] } }
    return holderGoal(part, step, support: { _ in sup }, assume: assume)
  }
  var mutants = [Mutant("noInductionHypothesis") { goal(assume: false) }]
  if part == .slots || k == .retire { mutants.append(Mutant("noPrecondition") { goal(precondition: false) }) }
  return Obligation("\(k.rawValue)_\(part.rawValue)", mutants: mutants) { goal() }
}

/// `<op>_upperEnumeration`: in each of the step's cases, its upper enumeration after it is the
/// one its listed moves (`PTStep.holderMoves`) make, each applied in a state that meets its
/// precondition; with the lemmas, the step keeps upperIndex and upperSlots. Checked at fresh
/// points (a holder, a frame, a position). `weakened`: a mutant step, refuted.
func enumerationGoal(_ step: PTStep) -> Goal {
  if !step.cases.isEmpty { return .byCases(step.cases.map(enumerationGoal)) }
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let w = BV("claim.holder"), cf = BV("claim.frame"), ck = BV("claim.position")
  var cur = s, claims: [Z3Bool] = []
  for m in step.holderMoves(s) {
    claims.append(m.precondition(cur))
    cur = m.apply(cur)
  }
  for e in movedEnumerations {
    let (a, b) = (next[keyPath: e], cur[keyPath: e])
    claims += [a.target[w] .== b.target[w], a.index[w] .== b.index[w], a.count[cf] .== b.count[cf], a.slot[cf, ck] .== b.slot[cf, ck]]
  }
  return Goal(
    claim: all(claims), hypotheses: configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions,
    witnesses: step.witnesses + [.word("claim.holder", w), .word("claim.frame", cf), .word("claim.position", ck)], logic: "QF_UFBV")
}

/// `<op>_upperEnumeration` and `<op>_upperCounted`. Mutants: `enumeration` / `counted` weakened
/// steps (none for the enumeration: the moves' first precondition dropped from the hypotheses
/// is no mutant, so a step without one gets `noInductionHypothesis` for counted only).
func holderObligations(
  _ op: String, step: @escaping @Sendable () -> PTStep, enumeration: [(String, @Sendable () -> PTStep)], counted: [(String, @Sendable () -> PTStep)] = []
) -> [Obligation] {
  [
    Obligation("\(op)_upperEnumeration", mutants: enumeration.map { name, weak in Mutant(name) { enumerationGoal(weak()) } }) {
      enumerationGoal(step())
    },
    countedObligation(op, step: step, mutants: counted),
  ]
}

/// A release step's counts, from the enumeration: `claim` (the step's hypothesis) at frame b from
/// `given` there, with the invariants at b and at the holder h, and the counts far below 2^64.
/// The mutant drops the counting (upperCounted at b).
private func lemmaObligation(_ name: String, given: @escaping @Sendable (SymState, BV, BV) -> [Z3Bool], claim: @escaping @Sendable (SymState, BV) -> [Z3Bool]) -> Obligation {
  @Sendable func goal(counted: Bool) -> Goal {
    let s = SymState(), h = BV("holder"), b = BV("target")
    let u = s.pt.upper, c = s.pt.cr3
    let bounds = [u.count[b], s.pt.pendingPut[b], c.grantRefs[b], c.grantTyped[b], c.count[b]].map { $0 .< (1 << 58) }
    let hyps = given(s, h, b) + [upperIndexAt(s, h), cr3CountedAt(s, b)] + bounds + (counted ? [upperCountedAt(s, b)] : [])
    return Goal(claim: all(claim(s, b)), hypotheses: hyps, witnesses: [.word("holder", h), .word("target", b)], logic: "QF_UFBV")
  }
  return Obligation(name, mutants: [Mutant("notCounted") { goal(counted: false) }]) { goal(counted: true) }
}

// MARK: obligations

let upperHolderObligations: [Obligation] = {
  let take = "mmuextOpPinL2-L4Validate", drop = "mmuextOpUnpinL2-L4Unvalidate"
  let lemmas = MoveKind.allCases.flatMap { k in [HolderPart.index, .slots].map { moveLemmaObligation(k, $0) } }
  return lemmas + [
    // a holder is enumerated by its target, so the target's counts are ≥ 1; a pending putPage
    // is counted too (a grant mapping's: `grantUnmap_handleFacts`)
    lemmaObligation("\(drop)_holderReferences", given: { s, h, b in [s.pt.upper.target[h] .== b, b .!= cr3None] }, claim: holderReferences),
    lemmaObligation("\(drop)Put_pendingReference", given: { s, _, b in [s.pt.pendingPut[b] .>= 1] }, claim: pendingReference),
  ]
    + holderObligations(
      take, step: { validateUpperEntryByCases() }, enumeration: [("notEnrolled", validateUpperEntry(.notEnrolled, case: .held))],
      counted: [("notEnrolled", validateUpperEntry(.notEnrolled, case: .held))])
    + holderObligations(
      drop, step: { unvalidateUpperEntryByCases() }, enumeration: [("notRetired", unvalidateUpperEntry(.notRetired, case: .held))],
      counted: [("notRetired", unvalidateUpperEntry(.notRetired, case: .held)), ("noPendingPut", unvalidateUpperEntry(.noPendingPut, case: .upper))])
    + [
      countedObligation("\(drop)Put", step: unvalidateUpperPut()),
      // relabels only: the slot's holder becomes the pending release, the pending take the slot's
      Obligation(
        "mmuUpdateUpperSetEntry_upperEnumeration",
        mutants: [Mutant("notRelabeled") { enumerationGoal(mmuUpdateUpperSetEntry(byCases: true, relabels: false)()) }]
      ) { enumerationGoal(mmuUpdateUpperSetEntry(byCases: true)()) },
    ]
    // the slot's holder moves from the old target to the new one
    + holderObligations(
      "mmuUpdateUpper", step: mmuUpdateUpper(byCases: true), enumeration: [("holderNotMoved", mmuUpdateUpper(.holderNotMoved, byCases: true))],
      counted: [("holderNotMoved", mmuUpdateUpper(.holderNotMoved, byCases: true))])
    // the old root's CR3 unit: a fresh holder joins its enumeration
    + holderObligations(
      "mmuextOpNewBaseptr", step: newBaseptr(byCases: true), enumeration: [("oldUnitNotSetAside", newBaseptr(.oldUnitNotSetAside, byCases: true))],
      counted: [("holderNotEnrolled", newBaseptr(.holderNotEnrolled, byCases: true))])
    // a mapping moves the grant share with the non-CR3 counts
    + [
      countedObligation("grantMap", step: mapStep(), mutants: [("grantShareNotMoved", mapStep(.grantShareNotMoved))]),
      countedObligation("grantUnmap", step: unmapStep(), mutants: [("grantShareNotMoved", unmapStep(.grantShareNotMoved))]),
    ]
    // the teardown: the holders targeting the target's frames go, their counts too
    + [HolderPart.index, .slots].map { part in
      Obligation(
        "domainDestroy_\(part.rawValue)",
        // (holders kept at zeroed counts break their places, which only upperIndex reads)
        mutants: [Mutant("noInductionHypothesis") { destroyHolderGoal(part, assume: false) }]
          + (part == .index
            ? [Mutant("keepsHolders") { holderGoal(part, destroyStep(releases: false, .keepsHolders)(), support: { _ in HolderSupport() }) }]
            : [])
      ) { destroyHolderGoal(part, assume: true) }
    }
    + [countedObligation("domainDestroy", step: destroyStep(releases: false))]
}()

private func destroyHolderGoal(_ part: HolderPart, assume: Bool) -> Goal {
  holderGoal(part, destroyStep(releases: false)(), support: { _ in HolderSupport() }, assume: assume)
}
