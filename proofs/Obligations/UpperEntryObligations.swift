// mmuUpdateUpper_*: `mmuUpdateOne(caller:, .normal(t, i, val))` on an L2, L3 or L4 table (the
// Spec's modEntry at level 2–4), WITHOUT (un)validation, × referenceCounts (equations, index,
// slots), typeSafety, isolation, frameOwnership and cr3Roots. Point-wise ground goals, as the
// page-table group's (PageTableObligations.swift); the pattern is CR3Obligations.swift's
// newBaseptr.
//
// References held by L2–L4 entries live in the ghost ext counts (`pt.extRefs` / `pt.extTyped`,
// with the CR3s' and grant mappings'), and are enumerated by holder (UpperHolderObligations.swift).
// A present upper entry holds one general and one typed reference on its target
// (getEntryReferences at level ≥ 2: getPage, getPageType(lower level, or l4 for the linear L4
// case)), so the step moves one unit of both ext counts from the old target a to the new one b,
// and the slot's holder from a's enumeration to b's. The table is no L1 (its type is l2–l4), so
// none of its slots is live: the L1 enumerations and every live slot's entry are untouched.
//
// The new entry's checks are the Spec's, restated symbolically once for all levels
// (`specGetEntryReferences`, SpecEntryRule.swift, which pteCheck_agreesWithSpec proves Core's
// pteCheck equal to): reserved bits, no superpage at L2/L3, an existing non-hypervisor target the
// caller owns, the type check (the linear L4 entry: read-only, type l4). The restriction
// (hypotheses, as newBaseptr's): the table is an L2–L4 of type count > 0 (mmuUpdateOne's branch to
// modEntry); a present new entry's target already has a type count > 0 (getPageType only checks
// and counts: no recursive validation); a present old entry's target keeps a count > 0 after
// putPageType (count > 1 before, or it is the new target: no recursive un-validation). This one
// step is the common case; the general one, with recursive (un)validation, is a sequence of the
// steps of RecursiveValidationObligations.swift (the new entry's take, `mmuUpdateUpperSetEntry`,
// the old entry's release).

import BulkheadCore
import Z3Kit

/// Checks or updates an upper-entry mutant may drop.
enum UpperBug: Equatable { case none, noPutPage, noGetPage, holderNotMoved }

/// `mmuUpdateOne(caller: d, .normal(t, i, e))` on a table of type l2–l4 with a type count > 0
/// (hypothesis, `upperHypotheses`): callerDomain; checkOwned(t, by: d); modEntry(t, i, e, at:
/// type[t], for: d): if e is present, the Spec's getEntryReferences checks at that level, getPage(b),
/// getPageType(b, ...) (count > 0: no type change); setEntry; if the old entry is present,
/// putPageType(a), putPage(a). Ghost: one general and one typed ext reference move from a to b.
/// `known`: the step restricted to one case (proofs by cases; `UpperCase`).
func symMMUUpdateUpper(
  caller d: BV, table t: BV, index i: BV, val e: BV, bug: UpperBug = .none, known c: UpperCase? = nil
) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    symCheckOwned(&r, s, t, by: d)
    let old = s.pt.pte[t, i]
    var newPresent = SymPTE.isPresent(e), oldPresent = SymPTE.isPresent(old)
    var b = SymPTE.frame(e)
    let a = SymPTE.frame(old)
    if let c {
      r.assume(oldPresent.iff(c.old ? .true : .false))
      r.assume(newPresent.iff(c.new ? .true : .false))
      (oldPresent, newPresent) = (c.old ? .true : .false, c.new ? .true : .false)
      if let same = c.sameTarget {
        // both orientations, as the updates' `if id == k` test them
        r.assume((b .== a).iff(same ? .true : .false))
        r.assume((a .== b).iff(same ? .true : .false))
        if same { b = a }
      }
    }
    // getEntryReferences(e, at: level, for: d): the Spec's checks (level = the table's type, l2–l4)
    var target = SymFrameInfo("upper.target")
    target.owner = s.owner[b]
    target.type = s.type[b]
    target.typeCount = s.typeCount[b]
    let checks = specGetEntryReferences(
      e, at: s.type[t], for: d, frameCount: s.frameCount, target: target,
      grantRead: flag(s.pt.grantRead[d, b]), grantWrite: flag(s.pt.grantWrite[d, b]))
    r.when(newPresent) { r in r.guard(!checks.refused, DecisionErrno.EINVAL) }
    var n = s
    // getPage(b); getPageType(b, ...) at count > 0: the count only
    if bug != .noGetPage { n.refCount = s.refCount.set(b, s.refCount[b] &+ 1, when: newPresent) }
    n.typeCount = s.typeCount.set(b, s.typeCount[b] &+ 1, when: newPresent)
    // ghost: the entry's references are ext ones, and no CR3's (cr3Counted)
    n = symMoveOther(n, b, by: 1, general: newPresent, typed: newPresent)
    // setEntry(t, i, e)
    n.pt.pte = s.pt.pte.set(t, i, e)
    // putEntryReferences(old, at: level): putPageType(a) (its count stays > 0: hypothesis; at 0
    // it would un-validate recursively), putPage(a)
    n = symPutPageTypeFlat(n, a, when: oldPresent)
    if bug != .noPutPage { n.refCount = n.refCount.set(a, n.refCount[a] &- 1, when: oldPresent) }
    n = symMoveOther(n, a, by: -1, general: oldPresent, typed: oldPresent)
    // the slot's holder: from a's enumeration to b's (UpperHolderObligations.swift)
    if bug != .holderNotMoved { n = symMoveHolder(n, ptSlot(t, i), from: a, removing: oldPresent, to: b, adding: newPresent) }
    return (r, n)
  }
}

/// One case of an upper entry update (as `ModEntryCase`): old / new entry present, and when both
/// are, whether they target the same frame. A partition.
struct UpperCase {
  var old: Bool
  var new: Bool
  var sameTarget: Bool?
  static let all: [UpperCase] = [false, true].flatMap { o in
    [false, true].flatMap { n in
      o && n ? [true, false].map { UpperCase(old: o, new: n, sameTarget: $0) } : [UpperCase(old: o, new: n, sameTarget: nil)]
    }
  }
}

/// What the upper-entry goals assume: the caller is a live domain's 16-bit id, the index below
/// 512; the table is an L2–L4 with a type count > 0; the restriction (a present new target's
/// type count > 0, below 2^62; a present old target's count > 1 or it is the new target).
private func upperHypotheses(_ s: SymState, _ d: BV, _ t: BV, _ i: BV, _ e: BV) -> [Z3Bool] {
  let a = SymPTE.frame(s.pt.pte[t, i]), b = SymPTE.frame(e)
  let newPresent = SymPTE.isPresent(e), oldPresent = SymPTE.isPresent(s.pt.pte[t, i])
  return [
    d .< 0x1_0000, i .< 512,
    s.type[t] .>= DecisionPageType.l2, s.type[t] .<= DecisionPageType.l4, s.typeCount[t] .> 0,
    newPresent.implies(s.typeCount[b] .> 0 && s.typeCount[b] .< (1 << 62)),
    oldPresent.implies(s.typeCount[a] .> 1 || (newPresent && a .== b)),
    // the slot's holder holds a present old entry's references, none otherwise (the argued tie)
    s.pt.upper.target[ptSlot(t, i)] .== BV.ite(oldPresent, a, cr3None),
  ]
}

/// The upper-entry step as a page-table step: its frames the table, the new and the old target.
/// `byCases`: by `UpperCase`, each case's claim frames the targets whose counts it changes.
func mmuUpdateUpper(_ bug: UpperBug = .none, byCases: Bool = false) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table"), i = BV("index"), e = BV("entry")
    var step = PTStep(
      transition: symMMUUpdateUpper(caller: d, table: t, index: i, val: e, bug: bug),
      hypotheses: { s in upperHypotheses(s, d, t, i, e) },
      slots: [(t, i)], frames: { s in [t, SymPTE.frame(e), SymPTE.frame(s.pt.pte[t, i])] },
      witnesses: [.word("caller", d), .word("table", t), .word("index", i), .word("entry", e)])
    step.claimFrames = { s in [SymPTE.frame(e), SymPTE.frame(s.pt.pte[t, i])] }
    guard byCases else { return step }
    step.cases = UpperCase.all.map { c in
      var one = step
      one.transition = symMMUUpdateUpper(caller: d, table: t, index: i, val: e, bug: bug, known: c)
      one.claimFrames = { s in
        let a = SymPTE.frame(s.pt.pte[t, i])
        return (c.old ? [a] : []) + (c.new && c.sameTarget != true ? [SymPTE.frame(e)] : [])
      }
      one.holderMoves = { s in
        let x = ptSlot(t, i), a = SymPTE.frame(s.pt.pte[t, i]), b = c.sameTarget == true ? a : SymPTE.frame(e)
        switch (c.old, c.new) {
        case (false, false): return []
        case (false, true): return [.enroll(x, at: b)]
        case (true, false): return [.retire(x, from: a)]
        case (true, true): return [.retire(x, from: a), .enroll(x, at: b)]  // (b may be a)
        }
      }
      return one
    }
    return step
  }
}

/// mmuUpdateUpper × a page-table invariant, point-wise and by `UpperCase` (as newBaseptr's
/// `baseptrPTGoal`), one goal per claimed point: after the step, at each target whose counts
/// change (from the invariant there before it and its counts below 2^58), at any other frame,
/// at any slot and at any position (each from the invariant at the same point before it). The step writes no enumeration, no live slot's entry (the table
/// is no L1: typeSafety at it, assumed) and (the counts staying > 0) no type.
private func upperPTGoal(_ inv: PTInvariant) -> Goal {
  let d = BV("caller"), t = BV("table"), i = BV("index"), e = BV("entry")
  let cf = BV("claim.frame"), ct = BV("claim.table"), ci = BV("claim.index"), ck = BV("claim.position")
  let witnesses: [Witness] = [
    .word("caller", d), .word("table", t), .word("index", i), .word("entry", e), .word("claim.frame", cf),
    .word("claim.table", ct), .word("claim.index", ci), .word("claim.position", ck),
  ]
  return .byCases(UpperCase.all.flatMap { c -> [Goal] in
    let s = SymState()
    let (r, next) = symMMUUpdateUpper(caller: d, table: t, index: i, val: e, known: c)(s)
    let a = SymPTE.frame(s.pt.pte[t, i])
    let b = c.sameTarget == true ? a : SymPTE.frame(e)
    let targets = (c.old ? [a] : []) + (c.new && c.sameTarget != true ? [b] : [])
    let base = configRanges(s) + upperHypotheses(s, d, t, i, e) + [!r.refused] + r.assumptions
    // one goal per target (each from the invariant there only), and one at the other points
    let atTargets = targets.map { f in
      Goal(
        claim: inv.atFrame(next, f),
        hypotheses: base + [inv.atFrame(s, f)]
          + [s.pt.l1Refs[f], s.pt.wRefs[f], s.pt.extRefs[f], s.pt.extTyped[f]].map { $0 .< (1 << 58) },
        witnesses: witnesses, logic: "QF_UFBV")
    }
    func goal(_ claim: Z3Bool, _ hyp: Z3Bool) -> Goal {
      Goal(claim: claim, hypotheses: base + [hyp], witnesses: witnesses, logic: "QF_UFBV")
    }
    let elsewhere = [
      goal(all(targets.map { cf .!= $0 }).implies(inv.atFrame(next, cf)), inv.atFrame(s, cf)),
      goal(inv.atSlot(next, ct, ci), inv.atSlot(s, ct, ci)),
      goal(inv.atPosition(next, cf, ck), inv.atPosition(s, cf, ck)),
    ]
    return atTargets + elsewhere
  })
}

private func upperObligation(_ inv: PTInvariant, mutants: [(String, UpperBug)] = []) -> Obligation {
  let weakened = mutants.map { name, bug in (name, mmuUpdateUpper(bug)) }
  return Obligation("mmuUpdateUpper_\(inv.name)", mutants: ptMutants(inv, step: mmuUpdateUpper(), weakened)) {
    inv.name == isolationPT.name ? ptGroundGoal(inv, mmuUpdateUpper()()) : upperPTGoal(inv)
  }
}

let upperEntryObligations: [Obligation] = [
  // the entry's references move from the old target's ext counts to the new one's (a new
  // reference not taken: also shows a present new entry is accepted, the hypotheses consistent)
  upperObligation(referenceCountsEquationsPT, mutants: [("leaksOldReference", .noPutPage), ("noGetPage", .noGetPage)]),
  upperObligation(referenceIndexPT),
  upperObligation(referenceSlotsPT),
  // no type changes (counts stay > 0), no L1 slot changes (the table is no L1)
  upperObligation(typeSafetyPT),
  upperObligation(isolationPT),
  // the table is the caller's (checkOwned), both targets typed (so neither free nor the hypervisor's)
  ownershipObligation("mmuUpdateUpper", step: mmuUpdateUpper()),
  cr3RootsObligation("mmuUpdateUpper", step: mmuUpdateUpper()),
  cr3CountedObligation("mmuUpdateUpper", step: mmuUpdateUpper(byCases: true)),
]
