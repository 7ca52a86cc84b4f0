// CR3s. `<step>_cr3Roots`: every vCPU's CR3 holds an L4 its domain owns (the CR3 part of the
// Spec's domainConsistency, `checkDomains`), across the L1 page-table steps of
// PageTableObligations.swift and `mmuext_op(MMUEXT_NEW_BASEPTR)`; and newBaseptr × the page-table
// invariants (referenceCounts, typeSafety, isolation, frameOwnership). Point-wise ground goals,
// as the page-table group's.
//
// State: `cr3.root[v]` per vCPU id (a frame, or `cr3None`). A loaded CR3 holds one general and
// one `l4` typed reference on its frame; the page-table model keeps those in the ghost ext counts
// (`pt.extRefs` / `pt.extTyped`, with the L2–L4 entries' and grant mappings'). newBaseptr adds a
// unit of both at the new root and sets the old root's unit aside as a pending release (counted
// among the non-CR3 ones, `cr3.other*`), so it must know the old root's unit is there even when
// other vCPUs have the same root loaded (all vCPUs of a process usually do), and that taking it
// leaves theirs. So the CR3s are enumerated per frame, Hyperkernel-style as the L1
// slots are: `cr3.slot[f, k]` for k < `cr3.count[f]` are the vCPUs with root f, `cr3.index[v]` is
// v's position (cr3Index, cr3Slots: count[f] is the number of them), and f's ext counts are
// count[f] plus the other holders' (cr3Counted). These are parts of referenceCounts. (An
// "extTyped ≥ 1 at every root" alone is not inductive: a reload by one of two vCPUs sharing a
// root whose ext count is 1 would keep it.)
//
// Why the L1 steps keep the roots: they write no owner and no CR3, and a frame's type changes
// only at type count 0 (getPageType's first taker, putPageType's last). A root's type, l4, has a
// count > 0 (typeSafety), and the L1 steps retype only a frame that is untyped (a pin's start:
// count 0), `writable` (an R/W entry's target, gained: getPageType's conflict check, or dropped:
// typeSafety at the slot) or an L1 (an unpin's start), never an l4. (So typeSafety, not the
// CR3's own typed reference, is what they need; the reference is what keeps the old root's
// release from retyping a root another vCPU still has loaded.) The CR3 enumeration holds across
// them by framing (no L1 step writes `cr3`); cr3Counted too for the steps that write no `ext*`,
// and the steps that do (an upper entry's take or release, a grant map or unmap, destroy's
// teardown) move `cr3.other*` alike (`<op>_cr3Counted`).
//
// newBaseptr with (un)validation is a sequence of steps (RecursiveValidationObligations.swift):
// this file's step (the checks, the new root's references, at type count 0 its type; the load;
// the old root's references set aside as pending releases), the new L4's validation loop if its
// count was 0 (`mmuextOpPinL2-L4Validate`, recursively), then the old root's release as an upper
// entry's (`mmuextOpUnpinL2-L4Unvalidate`: putPageType, at 0 its un-validation;
// `mmuextOpUnpinL2-L4UnvalidatePut`: putPage). The Spec loads the CR3 last; no step in between
// reads a CR3, so loading it first is the same run (argued, proofs/README.md).

import BulkheadCore
import Z3Kit

/// No CR3 loaded (`cr3 == nil`): all ones, never a frame (frames are below 2^40).
let cr3None = BV(constant: ~0)

/// The vCPUs' CR3s and, ghost, their enumeration per frame (as the L1 slots' in `SymPageTables`).
struct SymCR3s {
  /// `vcpus[v].cr3` (`root[v]`: a frame, or `cr3None`), and per frame f how many vCPUs have it
  /// loaded, which (`slot[f, k]`, k < count[f]), and per vCPU its position (`index[v]`).
  var vcpus = SymEnumeration("cr3", target: "root")
  var root: Field { get { vcpus.target } set { vcpus.target = newValue } }
  var count: Field { get { vcpus.count } set { vcpus.count = newValue } }
  var slot: Field2 { get { vcpus.slot } set { vcpus.slot = newValue } }
  var index: Field { get { vcpus.index } set { vcpus.index = newValue } }
  /// Per frame: its ext references that are no CR3's (L2–L4 entries', grant mappings', and an old
  /// root's CR3 references newBaseptr set aside until they are released).
  var otherRefs = Field.fresh("cr3.otherRefs")
  var otherTyped = Field.fresh("cr3.otherTyped")
  /// Per frame: the grant mappings' share of `other*` (upperCounted, UpperHolderObligations.swift).
  var grantRefs = Field.fresh("cr3.grantRefs")
  var grantTyped = Field.fresh("cr3.grantTyped")
}

// MARK: invariants, at one point (vCPU v, frame f, enumeration position (f, k))

/// `domainConsistency`, the CR3 part at vCPU v: a loaded CR3 is an L4 v's domain owns.
func cr3RootsAt(_ s: SymState, _ v: BV) -> Z3Bool {
  let c = s.pt.cr3.root[v]
  return (c .!= cr3None).implies(s.owner[c] .== vcpuDomain(v) && s.type[c] .== DecisionPageType.l4)
}

/// `referenceCounts`, the CR3 enumeration at vCPU v: a loaded CR3 sits at its position, below
/// its root's count.
func cr3IndexAt(_ s: SymState, _ v: BV) -> Z3Bool { s.pt.cr3.vcpus.indexAt(v) }

/// `referenceCounts` at frame f: its ext references are its CR3s' and others. (Equations, not
/// `count ≤ ext`: Z3 normalises sums, where it bit-blasts an inequality across a +1. With every
/// count far below 2^64 (trusted, as `countsBounded`) a loaded root's ext counts are ≥ 1.)
func cr3CountedAt(_ s: SymState, _ f: BV) -> Z3Bool {
  let c = s.pt.cr3
  return s.pt.extRefs[f] .== c.count[f] &+ c.otherRefs[f] && s.pt.extTyped[f] .== c.count[f] &+ c.otherTyped[f]
}

/// Ghost: a non-CR3 holder's references on b come (`delta` 1) or go (-1): an upper entry's, a
/// grant mapping's, an old root's set-aside CR3 references. They move the ext counts and b's
/// non-CR3 ones (`cr3.other*`) alike, so cr3Counted is kept. `general` / `typed`: when each of
/// the two references moves. `grant`: a grant mapping's, which also moves the grant share.
func symMoveOther(_ s: SymState, _ b: BV, by delta: Int, general: Z3Bool = .true, typed: Z3Bool, grant: Bool = false) -> SymState {
  var n = s
  func step(_ x: BV) -> BV { delta > 0 ? x &+ 1 : x &- 1 }
  n.pt.extRefs = s.pt.extRefs.set(b, step(s.pt.extRefs[b]), when: general)
  n.pt.cr3.otherRefs = s.pt.cr3.otherRefs.set(b, step(s.pt.cr3.otherRefs[b]), when: general)
  n.pt.extTyped = s.pt.extTyped.set(b, step(s.pt.extTyped[b]), when: typed)
  n.pt.cr3.otherTyped = s.pt.cr3.otherTyped.set(b, step(s.pt.cr3.otherTyped[b]), when: typed)
  if grant {
    n.pt.cr3.grantRefs = s.pt.cr3.grantRefs.set(b, step(s.pt.cr3.grantRefs[b]), when: general)
    n.pt.cr3.grantTyped = s.pt.cr3.grantTyped.set(b, step(s.pt.cr3.grantTyped[b]), when: typed)
  }
  return n
}

/// `referenceCounts`, the CR3 enumeration at position k of frame f: it holds a vCPU whose root
/// is f, at that position. (None for `cr3None`: the vCPUs without a root are not enumerated.)
func cr3SlotsAt(_ s: SymState, _ f: BV, _ k: BV) -> Z3Bool { s.pt.cr3.vcpus.slotsAt(f, k) }

// MARK: newBaseptr

/// Checks or updates a newBaseptr mutant may drop.
enum CR3Bug: Equatable { case none, noOwnerCheck, noTypeCheck, noGetPage, noGetPageType, oldUnitNotSetAside, holderNotEnrolled, noLoad }

/// The old root of newBaseptr, for proofs by cases (a partition): none loaded, the new root
/// itself (a reload), another frame. As for modEntry's cases (`ModEntryCase`), the case's
/// conditions are hypotheses and the step's `if`s constants, and a reloaded root *is* the new
/// root's term, so every count read at a frame is a sum of the same terms as the hypothesis there.
enum BaseptrCase: CaseIterable { case unloaded, reload, other }

/// `mmuextOpOne(caller: v, .newBaseptr(m))` up to the release of the old root: callerDomain
/// (ESRCH); checkOwned(m, by: v's domain); getPage(m); getPageType(m, .l4): at count > 0 the
/// type check (EINVAL unless l4) and the count, at count 0 the type (validated, count 1), after
/// which the L4's entries are validated (`validateUpperEntry` steps, recursively); cr3 = m.
/// Ghost: the CR3's two references are m's ext ones, v joins m's enumeration's end. The old
/// root, if one is loaded, keeps the old CR3's two references as ext ones that are no CR3's
/// (`cr3.otherRefs` / `otherTyped`) and leaves its enumeration: they are released next, as an
/// upper entry's are (`unvalidateUpperEntry`: putPageType, at 0 its un-validation;
/// `unvalidateUpperPut`). The Spec sets cr3 after those; none of them reads a CR3 or its
/// enumeration, so setting it first changes no state they see (argued, proofs/README.md).
/// `known`: the step restricted to one case of the old root; `atZero`: of m's type count.
func symNewBaseptr(
  caller v: BV, frame m: BV, bug: CR3Bug = .none, known k: BaseptrCase? = nil, atZero z: Bool? = nil
) -> SymTransition {
  { s in
    var r = Refusals()
    let d = vcpuDomain(v)
    r.guard(flag(s.vcpuExists[v]) && flag(s.alive[d]), DecisionErrno.ESRCH)
    if bug != .noOwnerCheck { symCheckOwned(&r, s, m, by: d) }
    var n = s
    if bug != .noGetPage { n.refCount = s.refCount.set(m, s.refCount[m] &+ 1) }
    n.pt.extRefs = s.pt.extRefs.set(m, s.pt.extRefs[m] &+ 1)
    var atZero = s.typeCount[m] .== 0
    if let z {
      r.assume(atZero.iff(z ? .true : .false))
      atZero = z ? .true : .false
    }
    if bug != .noTypeCheck { r.when(!atZero) { r in r.guard(s.type[m] .== DecisionPageType.l4, DecisionErrno.EINVAL) } }
    if bug != .noGetPageType {
      n.typeCount = s.typeCount.set(m, BV.ite(atZero, BV(constant: 1), s.typeCount[m] &+ 1))
      n.pt.extTyped = s.pt.extTyped.set(m, s.pt.extTyped[m] &+ 1)
    }
    if atZero.constant != false {
      n.type = s.type.set(m, BV(constant: DecisionPageType.l4), when: atZero)
      n.validated = s.validated.set(m, kTrue, when: atZero)
    }
    var old = s.pt.cr3.root[v], loaded = old .!= cr3None
    if let k {
      r.assume(loaded.iff(k != .unloaded ? .true : .false))
      loaded = k != .unloaded ? .true : .false
      if k != .unloaded {
        // both orientations, as the updates' `if id == k` test them
        r.assume((old .== m).iff(k == .reload ? .true : .false))
        r.assume((m .== old).iff(k == .reload ? .true : .false))
        if k == .reload { old = m }
      }
    }
    // the old CR3's references: no longer a CR3's, not yet released
    let c = s.pt.cr3
    if bug != .oldUnitNotSetAside {
      n.pt.cr3.otherRefs = c.otherRefs.set(old, c.otherRefs[old] &+ 1, when: loaded)
      n.pt.cr3.otherTyped = c.otherTyped.set(old, c.otherTyped[old] &+ 1, when: loaded)
      // under a fresh holder, which the release names (UpperHolderObligations.swift)
      if bug != .holderNotEnrolled { n = symMoveHolder(n, setAsideHolder, from: old, removing: .false, to: old, adding: loaded) }
    }
    if bug != .noLoad { n.pt.cr3.root = c.root.set(v, m) }
    (n.pt.cr3.count, n.pt.cr3.slot, n.pt.cr3.index) = moveInEnumeration(
      count: c.count, slot: c.slot, index: c.index, x: v, from: old, removing: loaded, to: m, adding: .true)
    return (r, n)
  }
}

/// The holder of the old root's set-aside CR3 references (fresh: `newBaseptrHypotheses`).
let setAsideHolder = BV("setAside")

/// What newBaseptr's goals assume: the caller v is a vCPU id (below 2^48, so its domain is a
/// 16-bit id); m's type count below 2^62 (`countsBounded`: taking one more does not wrap); and
/// the invariants at the caller's old root: an L4 its domain owns (cr3Roots), enumerated
/// (cr3Index), so among its ext references (cr3Counted).
private func newBaseptrHypotheses(_ s: SymState, _ v: BV, _ m: BV) -> [Z3Bool] {
  let old = s.pt.cr3.root[v]
  return [
    v .< (1 << 48), s.typeCount[m] .< (1 << 62), cr3RootsAt(s, v), cr3IndexAt(s, v), cr3CountedAt(s, old),
    s.pt.upper.target[setAsideHolder] .== cr3None,
  ]
}

/// newBaseptr as a page-table step: the frame whose counts and type change is m. `byCases`: by
/// `BaseptrCase` × m's count at 0 or not.
func newBaseptr(_ bug: CR3Bug = .none, byCases: Bool = false) -> @Sendable () -> PTStep {
  {
    let v = BV("caller"), m = BV("frame")
    var step = PTStep(
      transition: symNewBaseptr(caller: v, frame: m, bug: bug),
      hypotheses: { s in newBaseptrHypotheses(s, v, m) },
      slots: [], frames: { s in [m, s.pt.cr3.root[v]] },
      witnesses: [.word("caller", v), .word("frame", m), .word("oldRoot", SymState().pt.cr3.root[v])])
    step.claimFrames = { _ in [m] }
    guard byCases else { return step }
    step.cases = BaseptrCase.allCases.flatMap { c in
      [false, true].map { z in
        var one = step
        one.transition = symNewBaseptr(caller: v, frame: m, bug: bug, known: c, atZero: z)
        one.frames = { s in c == .other ? [m, s.pt.cr3.root[v]] : [m] }
        one.holderMoves = { s in c == .unloaded ? [] : [.enroll(setAsideHolder, at: c == .reload ? m : s.pt.cr3.root[v])] }
        return one
      }
    }
    return step
  }
}

// MARK: goals

/// The cr3Roots goal: the claim at a fresh vCPU `claim.vcpu` after the step, from cr3Roots there
/// and typeSafety at its root, at the step's frames and slots before it (a root's type l4 has a
/// count > 0; an entry's target that loses an R/W reference is `writable`): nothing more.
/// `small`: in `smallPTState`, every page-table invariant at its support (mutants; the roots stay
/// free, but only the claimed vCPU's and newBaseptr's caller's are read, and cr3Roots is assumed
/// at both: every other vCPU may have none). `assume`: cr3Roots is assumed before the step
/// (false: the noInductionHypothesis mutant).
/// `counted`: also the CR3 counting at the claimed root (its CR3s are among its typed
/// references: cr3Index, cr3Counted, referenceCounts, the bounds), for a step that may drop a
/// table's last typed reference (an un-validation's start).
/// By the step's cases, if it has any (one goal each).
private func cr3RootsGoal(_ step: PTStep, small: Bool = false, assume: Bool = true, counted: Bool = false) -> Goal {
  if !step.cases.isEmpty { return .byCases(step.cases.map { cr3RootsGoal($0, small: small, assume: assume, counted: counted) }) }
  let w = BV("claim.vcpu")
  var s = step.initial(SymState()), support: [Z3Bool] = []
  if small {
    let (base, terms, h) = smallPTState()
    s = step.initial(base)
    // the invariants of the step's pre-state (mid-loop ones inside a loop), at the support
    support = h + ptInstances(s, terms)
    support += ghostSupport(s, terms)
  }
  let (r, next) = step.transition(s)
  let root = s.pt.cr3.root[w]
  var hyps = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions + support
  if assume { hyps.append(cr3RootsAt(s, w)) }
  if counted && !small {
    let c = s.pt.cr3
    hyps += [cr3IndexAt(s, w), cr3CountedAt(s, root), refCountsAtFrame(s, root)]
    hyps += [s.pt.wRefs[root], s.pt.extTyped[root], c.count[root], c.otherTyped[root]].map { $0 .< (1 << 58) }
  }
  hyps += ([root] + step.frames(s)).map { typeSafetyAtFrame(s, $0) } + step.slots.map { typeSafetyAtSlot(s, $0.0, $0.1) }
  return Goal(
    claim: cr3RootsAt(next, w), hypotheses: hyps,
    witnesses: step.witnesses + [.word("claim.vcpu", w), .word("claim.root", root)], logic: "QF_UFBV")
}

/// `<op>_cr3Roots` with mutants of weakened steps (refuted in the small state).
func cr3RootsObligation(
  _ op: String, step: @escaping @Sendable () -> PTStep, mutants: [(String, @Sendable () -> PTStep)]
) -> Obligation {
  Obligation("\(op)_cr3Roots", mutants: mutants.map { m in Mutant(m.0) { cr3RootsGoal(m.1(), small: true) } }) {
    cr3RootsGoal(step())
  }
}

/// `<op>_cr3Roots` for a step no dropped check can break (it retypes no frame that can be a
/// root): the mutant drops cr3Roots before the step.
func cr3RootsObligation(_ op: String, step: @escaping @Sendable () -> PTStep, counted: Bool = false) -> Obligation {
  Obligation("\(op)_cr3Roots", mutants: [Mutant("noInductionHypothesis") { cr3RootsGoal(step(), small: true, assume: false) }]) {
    cr3RootsGoal(step(), counted: counted)
  }
}

/// `<op>_cr3Counted`: cr3Counted at every frame after a step that loads no CR3 (it moves an
/// upper entry's references, which are ext ones and no CR3's: both sides of the equation alike),
/// point-wise, from cr3Counted at the same frame; by the step's cases. The mutant drops it before
/// the step.
func cr3CountedObligation(_ op: String, step: @escaping @Sendable () -> PTStep) -> Obligation {
  Obligation("\(op)_cr3Counted", mutants: [Mutant("noInductionHypothesis") { cr3CountedGoal(step(), assume: false) }]) {
    cr3CountedGoal(step(), assume: true)
  }
}
private func cr3CountedGoal(_ step: PTStep, assume: Bool) -> Goal {
  if !step.cases.isEmpty { return .byCases(step.cases.map { cr3CountedGoal($0, assume: assume) }) }
  let cf = BV("claim.frame")
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let touched = step.claimFrames(s)
  // one goal per touched frame and one at any other
  let base = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions
  func goal(_ f: BV, fresh: Z3Bool) -> Goal {
    Goal(
      claim: fresh.implies(cr3CountedAt(next, f)), hypotheses: base + (assume ? [cr3CountedAt(s, f)] : []),
      witnesses: step.witnesses + [.word("claim.frame", cf)], logic: "QF_UFBV")
  }
  return .byCases(touched.map { goal($0, fresh: .true) } + [goal(cf, fresh: all(touched.map { cf .!= $0 }))])
}

/// The position arithmetic of an enumeration step, for a position a and a count b: with the
/// last position taken off, a is below b iff it is below b - 1 or is b - 1 (b > 0); with one
/// added, a is below b + 1 iff it is below b or is b (b far below 2^64). Z3 bit-blasts these and
/// rediscovers each in every goal that needs it (~0.15 M units each, most of their cost), so the
/// enumeration goals assume instances of it, proved for all a, b once, by a case of their own
/// (`positionArithmeticGoal`).
func positionArithmetic(_ a: BV, _ b: BV) -> Z3Bool {
  (b .!= 0).implies((a .< b).iff(a .< b &- 1 || a .== b &- 1))
    && (b .< (1 << 58)).implies((a .< b &+ 1).iff(a .< b || a .== b))
}
private func positionArithmeticGoal() -> Goal {
  let a = BV("lemma.a"), b = BV("lemma.b")
  return Goal(claim: positionArithmetic(a, b), witnesses: [.word("a", a), .word("b", b)], logic: "QF_UFBV")
}

/// newBaseptr × the CR3 enumeration, point-wise: after the step, cr3Counted at every frame and
/// cr3Index at every vCPU (`slots` false), or cr3Slots at every position. Split, as the L1
/// enumeration goals are (Z3's work grows fast with every hypothesis and open `ite`), by
/// `BaseptrCase` and by the claimed point: a root the step changes or another frame; the caller,
/// the vCPU at the old root's last position (it takes the caller's place there), or another vCPU
/// by its root (the old one, the new one, another); a position the step writes (the caller's old
/// one, the new root's end) or another one by its frame (likewise). The classes cover every point
/// (partitions by construction). Each goal assumes only what its argument uses, from: the new
/// root exists (so it is no `cr3None`), the caller's position (cr3Index), the old root's last
/// position (cr3Slots), the new root's count below 2^58, position arithmetic at the positions it
/// compares, and the invariant at the claimed point before the step (fewer hypotheses than the
/// ∀ invariants: still a proof). The first case proves the arithmetic.
/// `split` false: one goal, every hypothesis, the whole claim (the mutants: no ∀ invariant to
/// model, a counterexample is a state where the ground instances hold and the step breaks it).
private func cr3EnumGoal(slots: Bool, bug: CR3Bug = .none, split: Bool = true) -> Goal {
  let v = BV("caller"), m = BV("frame")
  let w = BV("claim.vcpu"), cf = BV("claim.frame"), ck = BV("claim.position")
  let s = SymState(), c = s.pt.cr3
  var goals = split ? [positionArithmeticGoal()] : []
  let cases: [BaseptrCase?] = split ? BaseptrCase.allCases : [nil]
  for known in cases {
    let (r, next) = symNewBaseptr(caller: v, frame: m, bug: bug, known: known)(s)
    let old = known == .reload ? m : c.root[v]
    let loaded = known != .unloaded
    let lastPosition = c.count[old] &- 1, last = c.slot[old, lastPosition]
    // the hypotheses, each given only to the goals whose argument uses it: the caller's position
    // (the old root's count is >= 1; its slot there is the caller), the old root's last vCPU
    // (moves into the caller's place), the new root's count below 2^58 (+1 does not wrap: a
    // count, trusted as `countsBounded`), and the position arithmetic at the old root's end
    // (`leaving`, for a position a there) or the new root's (`joining`)
    let caller = cr3IndexAt(s, v)
    let lastSlot = loaded ? [cr3SlotsAt(s, old, lastPosition)] : []
    let noWrap = c.count[m] .< (1 << 58)
    func leaving(_ a: BV) -> [Z3Bool] {
      [caller] + [lastPosition, c.index[v], a].map { positionArithmetic($0, c.count[old]) }
    }
    func joining(_ a: BV) -> [Z3Bool] { [noWrap, positionArithmetic(c.count[m], c.count[m]), positionArithmetic(a, c.count[m])] }
    // (of the step's checks only checkOwned's "m exists": m is no `cr3None`)
    let base = configRanges(s) + r.assumptions + [m .< s.frameCount]
    let witnesses = [
      Witness.word("caller", v), .word("frame", m), .word("oldRoot", c.root[v]), .word("claim.vcpu", w),
      .word("claim.frame", cf), .word("claim.position", ck),
    ]
    // mostly equalities of enumeration terms: Z3's SMT core (lazy bit-blasting) does them 2-200×
    // cheaper than the QF_UFBV tactic, which blasts every term it is given
    func goal(_ claim: Z3Bool, _ hyps: [Z3Bool]) {
      goals.append(Goal(claim: claim, hypotheses: base + hyps, witnesses: witnesses, logic: split ? Solver.smtCore : "QF_UFBV"))
    }
    guard split else {
      let all = [caller, cr3CountedAt(s, old), noWrap] + lastSlot
      if slots {
        goal(cr3SlotsAt(next, cf, ck), all + [cr3SlotsAt(s, cf, ck)])
      } else {
        goal(cr3IndexAt(next, w) && cr3CountedAt(next, cf), all + [cr3IndexAt(s, w), cr3CountedAt(s, cf)])
      }
      continue
    }
    // the roots whose enumeration changes: the old one (if loaded and not the new one), the new one
    let leaves = known == .other ? [old] : []
    if slots {
      // the positions the step writes: the caller's in the old root (the last vCPU moves
      // there), the new root's end (the caller goes there; a reload first frees the last one)
      let end = known == .reload ? lastPosition : c.count[m]
      if loaded { goal(cr3SlotsAt(next, old, c.index[v]), leaving(c.index[v]) + lastSlot) }
      goal(cr3SlotsAt(next, m, end), known == .reload ? leaving(end) : joining(end))
      // any other position: in the old root's enumeration, the new root's, or another's
      let written = (loaded ? [(old, c.index[v])] : []) + [(m, end)]
      func other(_ f: BV, _ hyps: [Z3Bool]) {
        goal(cr3SlotsAt(next, f, ck), [cr3SlotsAt(s, f, ck)] + hyps + written.map { !(f .== $0.0 && ck .== $0.1) })
      }
      for f in leaves { other(f, leaving(ck) + lastSlot) }
      other(m, (known == .reload ? leaving(ck) : joining(ck)) + [caller] + lastSlot)
      other(cf, [caller] + lastSlot + ([m] + leaves).map { cf .!= $0 })
    } else {
      goal(cr3CountedAt(next, m), [cr3CountedAt(s, m)])
      for f in leaves { goal(cr3CountedAt(next, f), [cr3CountedAt(s, f)]) }
      goal(cr3CountedAt(next, cf), [cr3CountedAt(s, cf)] + ([m] + leaves).map { cf .!= $0 })
      goal(cr3IndexAt(next, v), known == .reload ? leaving(lastPosition) : joining(c.count[m]))
      if loaded { goal(cr3IndexAt(next, last), [last .!= v] + leaving(c.index[v]) + lastSlot) }
      // any other vCPU: its root is the old one, the new one, or another
      let others = [cr3IndexAt(s, w), w .!= v] + (loaded ? [w .!= last] : [])
      let root = c.root[w]
      for f in leaves { goal(cr3IndexAt(next, w), others + [root .== f] + leaving(c.index[w]) + lastSlot) }
      goal(cr3IndexAt(next, w), others + [root .== m] + (known == .reload ? leaving(c.index[w]) + lastSlot : joining(c.index[w])))
      goal(cr3IndexAt(next, w), others + ([m] + leaves).map { root .!= $0 })
    }
  }
  return goals.count == 1 ? goals[0] : .byCases(goals)
}

/// domainCreate and domainDestroy × the CR3 enumeration, point-wise: they clear the roots of
/// domain d's vCPUs (a new domain's have none; a destroyed one's go) and, for destroy, the
/// counts of d's frames. cr3Index at any vCPU, or cr3Slots at any position, from the invariant
/// there and, at the vCPU it names, cr3Roots (its root is its own domain's frame) and
/// frameOwnership at that root with the domain part at d (an unused domain is not alive, so owns
/// no frame: no vCPU of a domain being created has a root). `assume` false: the mutant without
/// the induction hypothesis.
private func cr3DomainGoal(_ step: PTStep, domain d: BV, slots: Bool, assume: Bool = true) -> Goal {
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let w = BV("claim.vcpu"), cf = BV("claim.frame"), ck = BV("claim.position")
  let c = s.pt.cr3
  let v = slots ? c.slot[cf, ck] : w
  var hyps = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions
  hyps += [cr3RootsAt(s, v), frameOwnershipAt(s, c.root[v]), flag(s.alive[d]).implies(flag(s.used[d]))]
  if assume { hyps.append(slots ? cr3SlotsAt(s, cf, ck) : cr3IndexAt(s, w)) }
  return Goal(
    claim: slots ? cr3SlotsAt(next, cf, ck) : cr3IndexAt(next, w), hypotheses: hyps,
    witnesses: step.witnesses + [.word("claim.vcpu", w), .word("claim.frame", cf), .word("claim.position", ck)], logic: "QF_UFBV")
}

/// `<op>_cr3Index` and `<op>_cr3Slots` by `cr3DomainGoal`.
/// `weak`: a weakened step, refuted too (for cr3Index: a root kept at a zeroed count breaks its
/// vCPU's place, which only cr3Index reads).
private func cr3DomainObligations(
  _ op: String, domain: String, step: @escaping @Sendable () -> PTStep, weak: (String, @Sendable () -> PTStep)? = nil
) -> [Obligation] {
  [false, true].map { slots in
    let d = BV(domain)
    let weakened = slots ? [] : weak.map { w in [Mutant(w.0) { cr3DomainGoal(w.1(), domain: d, slots: slots) }] } ?? []
    return Obligation(
      "\(op)_\(slots ? "cr3Slots" : "cr3Index")",
      mutants: [Mutant("noInductionHypothesis") { cr3DomainGoal(step(), domain: d, slots: slots, assume: false) }] + weakened
    ) { cr3DomainGoal(step(), domain: d, slots: slots) }
  }
}

// MARK: obligations

let cr3Obligations: [Obligation] = {
  let op = "mmuextOpNewBaseptr"
  return [
    // the L1 steps × the CR3 part of domainConsistency (updateVaMapping: by refinement of
    // mmuUpdate); an R/W entry to a root without the type check retypes it `writable`
    cr3RootsObligation("mmuUpdate", step: mmuUpdate(), mutants: [("noTypeCheck", mmuUpdate(.noTypeCheck))]),
    cr3RootsObligation("mmuextOpPinL1", step: pin()),
    cr3RootsObligation("mmuextOpPinL1ValidateStart", step: pinStart()),
    cr3RootsObligation("mmuextOpPinL1Validate", step: validateEntry(), mutants: [("noTypeCheck", validateEntry(.noTypeCheck))]),
    cr3RootsObligation("mmuextOpPinL1ValidateFinish", step: validateFinish()),
    cr3RootsObligation("mmuextOpPinFinish", step: pinFinish()),
    cr3RootsObligation("mmuextOpUnpinL1", step: unpin()),
    cr3RootsObligation("mmuextOpUnpinL1UnvalidateStart", step: unpinStart()),
    cr3RootsObligation("mmuextOpUnpinL1Unvalidate", step: unvalidateEntry()),
    cr3RootsObligation("mmuextOpUnpinL1UnvalidateFinish", step: unvalidateFinish()),
    cr3RootsObligation("mmuextOpUnpinFinish", step: unpinFinish()),
    cr3RootsObligation("mmuextOpPinL2-L4", step: pin(upper: true)),
    cr3RootsObligation("mmuextOpUnpinL2-L4", step: unpin(upper: true)),
    // a new domain's vCPUs have no CR3
    cr3RootsObligation("domainCreate", step: createDomain()),
    // newBaseptr: a root that is no L4 or another domain's
    cr3RootsObligation(
      op, step: newBaseptr(byCases: true),
      mutants: [("noTypeCheck", newBaseptr(.noTypeCheck)), ("noOwnerCheck", newBaseptr(.noOwnerCheck))]),
    // the CR3's references are the new root's; the old root's stay, as pending releases
    localObligation(op, referenceCountsEquationsPT, step: newBaseptr(byCases: true), mutants: [("noGetPage", newBaseptr(.noGetPage))]),
    localObligation(op, referenceIndexPT, step: newBaseptr(byCases: true)),
    localObligation(op, referenceSlotsPT, step: newBaseptr(byCases: true)),
    // the caller joins the new root's enumeration; its old place is filled by the old root's last
    // (and the old CR3's references count as pending releases, no longer as a CR3's)
    Obligation(
      "\(op)_cr3Index",
      mutants: [
        Mutant("notLoaded") { cr3EnumGoal(slots: false, bug: .noLoad, split: false) },
        Mutant("leaksOldReference") { cr3EnumGoal(slots: false, bug: .oldUnitNotSetAside, split: false) },
      ]
    ) {
      cr3EnumGoal(slots: false)
    },
    Obligation("\(op)_cr3Slots", mutants: [Mutant("notLoaded") { cr3EnumGoal(slots: true, bug: .noLoad, split: false) }]) {
      cr3EnumGoal(slots: true)
    },
    localObligation(op, typeSafetyPT, step: newBaseptr(byCases: true), mutants: [("noGetPageType", newBaseptr(.noGetPageType))]),
    localObligation(op, isolationPT, step: newBaseptr(byCases: true)),
    // m is the caller's domain's (checkOwned): no reference taken on a free frame
    ownershipObligation(op, step: newBaseptr(), mutants: [("takesFreeFrame", newBaseptr(.noOwnerCheck))]),
  ]
    // a domain's vCPUs' roots cleared (and, destroyed, its frames' counts): the other vCPUs'
    // roots are their own domains' frames, so keep their places
    + cr3DomainObligations("domainCreate", domain: "domain", step: createDomain())
    + cr3DomainObligations(
      "domainDestroy", domain: "target", step: destroyStep(releases: false), weak: ("keepsCR3s", destroyStep(releases: false, .keepsCR3s)))
}()
