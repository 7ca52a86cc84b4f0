// Recursive (un)validation in the L1 model: pinning and unpinning an L2, L3 or L4 table at type
// count 0 / down to 0, and one iteration of the loop over an upper table's entries, whose
// getPageType / putPageType may itself reach count 0 and start a nested (un)validation. × the
// page-table invariants (referenceCounts with its enumerations, typeSafety, isolation),
// frameOwnership and cr3Roots.
//
// The Spec's recursion (Spec/References.swift) is getPageType → validate each present entry →
// getEntryReferences → getPageType of the level below, and the same downwards for putPageType.
// It is proved as the L1 loops are (decision 0007, 4): each piece of the recursion is one step,
// and an invocation is a sequence of steps. A pin of an L2–L4 table at count 0 is
//
//   mmuextOpPinL2-L4ValidateStart       checks, getPage, the type (validated, count 1); ghost `pinning`
//   mmuextOpPinL2-L4Validate  × n       one present entry: checks, getPage, getPageType below, which
//                                       at count 0 takes the type and starts the level below's loop:
//     an L1's: mmuextOpPinL1Validate × 512, mmuextOpPinL1ValidateFinish  (PageTableObligations.swift)
//     an L2's or L3's: mmuextOpPinL2-L4Validate × n (recursively; ≤ 2 more levels)
//   mmuextOpPinFinish                   pinned; the ghost goes
//
// and an unpin to count 0 is the same downwards (UnvalidateStart; Unvalidate per entry, whose
// putPageType reaching 0 starts the level below's un-validation; UnvalidatePut, the entry's
// putPage once that nested loop is done; UnpinFinish). The same loop iterations serve
// validations that an L2–L4 entry update or a CR3 load starts: a pin in progress is a
// symbolic ghost (`anyPinning`: some frame, or none). What is argued, not proved, is that the
// steps compose in that order (Hoare's while rule, and the call structure: an L1 loop never
// recurses, so an upper iteration never runs inside one); that the recursion ends is the
// level's decrease (the linear L4 entry recurses only at count > 0, where getPageType only counts).
//
// An upper table's own cursor is not a ghost here. References held by upper entries are ext
// counts (`pt.extRefs` / `pt.extTyped`, as in UpperEntryObligations.swift) and, since decision
// 0008, enumerated by holder (UpperHolderObligations.swift): a take enrolls a fresh holder, a
// release names the holder it retires, and the counts a release needs follow from that holder's
// place in its target's enumeration (`…Unvalidate_holderReferences`). Which holder an entry's
// references are under (the slot's, between hypercalls) is argued with the steps' order.

import BulkheadCore
import Z3Kit

/// How an upper entry's getPageType (putPageType) goes, for proofs by cases: a partition.
enum NestedCase: CaseIterable {
  /// the target's type count is > 0 before (stays > 0 after): the count only
  case held
  /// it is 0 (becomes 0) and the target is (was) an L1: its entry loop starts (ghost cursor 0)
  case l1
  /// it is 0 (becomes 0) and the target is (was) an L2 or L3: its own loop of upper entries
  /// starts (its iterations are this file's steps: no ghost)
  case upper
}

/// Checks or updates a recursive-validation mutant may drop.
enum NestedBug: Equatable {
  case none, noGetPage, noPutPage, noValidatedFlag, startsMidway
  /// the start's checkOwned dropped; an entry's getEntryReferences checks all dropped
  case noOwnerCheck, noEntryChecks
  /// the type is (re)taken at any count, not only at 0 (`Rule.typeChangesOnlyAtZero` dropped)
  case retypesHeld
  /// the target becomes untyped without its L1's un-validation (its entries' references leak)
  case noUnvalidation
  /// the holder not enrolled by its target (take), not retired (release); the entry's general
  /// reference not counted as a pending putPage (release at count 0)
  case notEnrolled, notRetired, noPendingPut
}

/// `getEntryReferences(e, at: level, for: d)` for a present entry of an L2–L4 table, case `k`:
/// the Spec's checks (`specGetEntryReferences`); getPage(b); getPageType(b, want), want the level
/// below, or l4 for the linear L4 entry. Held: the count. At 0: the type (validated, count 1)
/// and, for an L1, its loop's ghost cursor 0. The entry's two references are ext ones, under
/// holder h (UpperHolderObligations.swift), which joins b's enumeration.
func symTakeUpperEntry(
  _ r: inout Refusals, _ s: SymState, entry e: BV, level: BV, for d: BV, holder h: BV, case k: NestedCase, bug: NestedBug = .none
) -> SymState {
  let b = SymPTE.frame(e)
  var target = SymFrameInfo("upper.target")
  // (the retypesHeld mutant checks as if at count 0)
  (target.owner, target.type, target.typeCount) = (s.owner[b], s.type[b], bug == .retypesHeld ? kFalse : s.typeCount[b])
  var checks = specGetEntryReferences(
    e, at: level, for: d, frameCount: s.frameCount, target: target,
    grantRead: flag(s.pt.grantRead[d, b]), grantWrite: flag(s.pt.grantWrite[d, b]))
  if bug == .noEntryChecks { checks = Refusals() }
  r.guard(!checks.refused, DecisionErrno.EINVAL)
  let linear = level .== DecisionPageType.l4 && s.type[b] .== DecisionPageType.l4 && s.typeCount[b] .> 0
  let want = BV.ite(linear, BV(constant: DecisionPageType.l4), level &- 1)
  switch k {
  case .held: r.assume(s.typeCount[b] .> 0)
  case .l1: r.assume(s.typeCount[b] .== 0 && want .== DecisionPageType.l1)
  case .upper: r.assume(s.typeCount[b] .== 0 && want .!= DecisionPageType.l1)
  }
  var n = s
  if bug != .noGetPage { n.refCount = s.refCount.set(b, s.refCount[b] &+ 1) }
  n = symMoveOther(n, b, by: 1, typed: .true)
  if bug != .notEnrolled { n = symMoveHolder(n, h, from: b, removing: .false, to: b, adding: .true) }
  if k == .held {
    n.typeCount = s.typeCount.set(b, s.typeCount[b] &+ 1)
    if bug == .retypesHeld { n.type = s.type.set(b, want) }
  } else {
    n.typeCount = s.typeCount.set(b, BV(constant: 1))
    n.type = s.type.set(b, want)
    if bug != .noValidatedFlag { n.validated = s.validated.set(b, kTrue) }
    if k == .l1 { n.pt.validating = (b, bug == .startsMidway ? BV("badCursor") : BV(constant: 0)) }
  }
  return n
}

/// `putEntryReferences(e, at: level)` for a present entry of an L2–L4 table, case `k`, up to the
/// nested un-validation: putPageType(b); held: then putPage(b). At 0: untyped, not validated, and
/// for an L1 its loop's ghost cursor 0; putPage(b) waits for that loop (`symPutUpperEntryPage`),
/// a pending putPage in the ghost. Holder h, whose references they were, leaves b's enumeration.
func symDropUpperEntry(
  _ r: inout Refusals, _ s: SymState, entry e: BV, holder h: BV, case k: NestedCase, bug: NestedBug = .none
) -> SymState {
  let b = SymPTE.frame(e)
  switch k {
  case .held: r.assume(s.typeCount[b] .> 1)
  case .l1: r.assume(s.typeCount[b] .== 1 && s.type[b] .== DecisionPageType.l1)
  case .upper: r.assume(s.typeCount[b] .== 1 && s.type[b] .!= DecisionPageType.l1)
  }
  var n = s
  n.typeCount = s.typeCount.set(b, s.typeCount[b] &- 1)
  n = symMoveOther(n, b, by: -1, general: .false, typed: .true)
  if bug != .notRetired { n = symMoveHolder(n, h, from: b, removing: .true, to: b, adding: .false) }
  if k == .held {
    if bug != .noPutPage { n.refCount = s.refCount.set(b, s.refCount[b] &- 1) }
    n = symMoveOther(n, b, by: -1, typed: .false)
  } else {
    if bug != .noPendingPut { n.pt.pendingPut = s.pt.pendingPut.set(b, s.pt.pendingPut[b] &+ 1) }
    n.type = s.type.set(b, BV(constant: DecisionPageType.none))
    if bug != .noValidatedFlag { n.validated = s.validated.set(b, kFalse) }
    if k == .l1 && bug != .noUnvalidation { n.pt.unvalidating = (b, BV(constant: 0)) }
  }
  return n
}

/// The entry's putPage(b) after its target's nested un-validation.
func symPutUpperEntryPage(_ s: SymState, target b: BV, bug: NestedBug = .none) -> SymState {
  var n = s
  if bug != .noPutPage { n.refCount = s.refCount.set(b, s.refCount[b] &- 1) }
  n.pt.pendingPut = s.pt.pendingPut.set(b, s.pt.pendingPut[b] &- 1)
  return symMoveOther(n, b, by: -1, typed: .false)
}

private func isUpper(_ t: BV) -> Z3Bool { t .>= DecisionPageType.l2 && t .<= DecisionPageType.l4 }

/// `mmuextOpOne(caller: d, .pinTable(level, t))`, level l2–l4, on a frame whose type count is 0,
/// up to its validation loop: the pin's checks; getPage; getPageType(level) at count 0: the
/// type, validated, count 1; ghost: the pin is in progress.
func pinUpperStart(_ bug: NestedBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table"), level = BV("level")
    var step = PTStep(
      transition: { s in
        var r = Refusals()
        symPinChecks(&r, s, caller: d, table: t, checkOwned: bug != .noOwnerCheck)
        var n = s
        if bug != .noGetPage { n.refCount = s.refCount.set(t, s.refCount[t] &+ 1) }
        n.type = s.type.set(t, level)
        n.typeCount = s.typeCount.set(t, BV(constant: 1))
        if bug != .noValidatedFlag { n.validated = s.validated.set(t, kTrue) }
        n.pt.pinning = (t, .true)
        return (r, n)
      },
      hypotheses: { s in [d .< 0x1_0000, isUpper(level), s.typeCount[t] .== 0] },
      slots: [], frames: { _ in [t] }, witnesses: [.word("caller", d), .word("table", t), .word("level", level)])
    step.claimFrames = { _ in [t] }
    return step
  }
}

/// An L2–L4 entry takes its references (`symTakeUpperEntry`, case `k`): any present entry `e`
/// at any level 2–4, for any domain d (a live one's 16-bit id). It is one iteration of an upper
/// table's validation loop (e is the table's entry at the cursor, d its owner, the level its
/// type), and the first half of an entry update on an upper table (e the new value, d the caller:
/// `mmuUpdateUpperSetEntry`). A pin may be in progress (`anyPinning`); no L1 loop is (an L1
/// loop never recurses).
func validateUpperEntry(_ bug: NestedBug = .none, case k: NestedCase) -> @Sendable () -> PTStep {
  {
    let d = BV("domain"), level = BV("level"), e = BV("entry"), h = BV("holder")
    let p = anyPinning()
    var step = PTStep(
      transition: { s in
        var r = Refusals()
        let n = symTakeUpperEntry(&r, s, entry: e, level: level, for: d, holder: h, case: k, bug: bug)
        return (r, n)
      },
      initial: { var s = $0; s.pt.pinning = p; return s },
      // h is a fresh holder: the entry's slot (a validation), or a pending take (an update)
      hypotheses: { s in [d .< 0x1_0000, isUpper(level), SymPTE.isPresent(e), s.pt.upper.target[h] .== cr3None] },
      slots: [], frames: { _ in [SymPTE.frame(e)] },
      witnesses: [.word("domain", d), .word("level", level), .word("entry", e), .word("holder", h)] + pinningWitnesses(p))
    step.claimFrames = { _ in [SymPTE.frame(e)] }
    step.holderMoves = { _ in [.enroll(h, at: SymPTE.frame(e))] }
    return step
  }
}

/// `mmuextOpOne(caller: d, .unpinTable(t))` of an L2–L4 table whose type count is 1 (the pin's),
/// up to its un-validation loop: the unpin's checks; not pinned; putPageType to 0: untyped, not
/// validated; ghost: the unpin (holding the pin's general reference) is in progress.
func unpinUpperStart(_ bug: NestedBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table")
    var step = PTStep(
      transition: { s in
        var r = Refusals()
        symUnpinChecks(&r, s, caller: d, table: t)
        var n = s
        n.pinned = s.pinned.set(t, kFalse)
        n.typeCount = s.typeCount.set(t, kFalse)
        n.type = s.type.set(t, BV(constant: DecisionPageType.none))
        if bug != .noValidatedFlag { n.validated = s.validated.set(t, kFalse) }
        n.pt.unpinning = (t, .true)
        return (r, n)
      },
      hypotheses: { s in [d .< 0x1_0000, isUpper(s.type[t]), s.typeCount[t] .== 1] },
      slots: [], frames: { _ in [t] }, witnesses: [.word("caller", d), .word("table", t)])
    step.claimFrames = { _ in [t] }
    return step
  }
}

/// An L2–L4 entry releases its references (`symDropUpperEntry`, case `k`): any present entry
/// `e` whose references are under holder h (its target is e's frame; so the frame's counts are
/// ≥ 1, `holderReferences`, proved by `mmuextOpUnpinL2-L4Unvalidate_holderReferences`). It is one iteration of an upper table's
/// un-validation loop (e the table's entry at the cursor) and the second half of an entry update
/// on an upper table (e the old value). An unpin may be in progress (`anyUnpinning`); no L1
/// un-validation is.
func unvalidateUpperEntry(_ bug: NestedBug = .none, case k: NestedCase) -> @Sendable () -> PTStep {
  {
    let e = BV("entry"), h = BV("holder")
    let u = anyUnpinning()
    var step = PTStep(
      transition: { s in
        var r = Refusals()
        let n = symDropUpperEntry(&r, s, entry: e, holder: h, case: k, bug: bug)
        return (r, n)
      },
      initial: { var s = $0; s.pt.unpinning = u; return s },
      hypotheses: { s in
        let b = SymPTE.frame(e)
        return [SymPTE.isPresent(e), s.pt.upper.target[h] .== b, b .!= cr3None] + holderReferences(s, b)
      },
      slots: [], frames: { _ in [SymPTE.frame(e)] },
      witnesses: [.word("entry", e), .word("holder", h)] + pinningWitnesses(u, "unpinning"))
    step.claimFrames = { _ in [SymPTE.frame(e)] }
    step.holderMoves = { _ in [.retire(h, from: SymPTE.frame(e))] }
    return step
  }
}

/// The released entry's putPage(b), once b's nested un-validation is done (b untyped).
func unvalidateUpperPut(_ bug: NestedBug = .none) -> @Sendable () -> PTStep {
  {
    let b = BV("target")
    let u = anyUnpinning()
    var step = PTStep(
      transition: { s in (Refusals(), symPutUpperEntryPage(s, target: b, bug: bug)) },
      initial: { var s = $0; s.pt.unpinning = u; return s },
      // the entry's general reference, kept through the nested un-validation as a pending
      // putPage (so counted: `pendingReference`, proved by `…UnvalidatePut_pendingReference`);
      // b untyped (that loop is done)
      hypotheses: { s in
        [s.pt.pendingPut[b] .>= 1] + pendingReference(s, b) + [s.type[b] .== DecisionPageType.none]
      },
      slots: [], frames: { _ in [b] }, witnesses: [.word("target", b)] + pinningWitnesses(u, "unpinning"))
    step.claimFrames = { _ in [b] }
    return step
  }
}

/// `mmuUpdateOne(caller: d, .normal(t, i, e))` on an L2–L4 table, its middle: the caller's
/// checks (callerDomain; checkOwned(t)) and setEntry(t, i, e). Before it, the new entry takes its
/// references (`validateUpperEntry`, d the caller and the level t's type, then any nested
/// validation), under the pending take's holder; after it, the old entry releases its own
/// (`unvalidateUpperEntry`, any nested un-validation, `unvalidateUpperPut`) under the pending
/// release's. Ghost: the slot's holder (the old entry's references, if present) becomes the
/// pending release, and the pending take (the new entry's, if present) the slot's. The table is
/// an L2–L4 with a type count > 0 (mmuUpdateOne's branch to modEntry); it is no L1, so the entry
/// is no live slot. `known`: one case of old / new entry present (`UpperCase`; the targets are
/// not compared); `byCases`: by those cases; `relabels` false: a mutant's ghost left as it was.
func mmuUpdateUpperSetEntry(byCases: Bool = false, known c: UpperCase? = nil, relabels: Bool = true) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table"), i = BV("index"), e = BV("entry")
    let take = BV("pendingTake"), release = BV("pendingRelease"), x = ptSlot(t, i)
    var step = PTStep(
      transition: { s in
        var r = Refusals()
        symCallerDomain(&r, s, d)
        symCheckOwned(&r, s, t, by: d)
        var newPresent = SymPTE.isPresent(e), oldPresent = SymPTE.isPresent(s.pt.pte[t, i])
        if let c {
          r.assume(oldPresent.iff(c.old ? .true : .false))
          r.assume(newPresent.iff(c.new ? .true : .false))
          (oldPresent, newPresent) = (c.old ? .true : .false, c.new ? .true : .false)
        }
        var n = s
        n.pt.pte = s.pt.pte.set(t, i, e)
        if relabels {
          n = symRelabelHolder(n, x, to: release, when: oldPresent)
          n = symRelabelHolder(n, take, to: x, when: newPresent)
        }
        return (r, n)
      },
      hypotheses: { s in
        let u = s.pt.upper, old = s.pt.pte[t, i]
        // the slot's holder holds a present old entry's references, none otherwise (the
        // argued tie); the pending take a present new entry's, and is no slot's holder (it was
        // fresh when it took them); the pending release is fresh
        return [d .< 0x1_0000, i .< 512, isUpper(s.type[t]), s.typeCount[t] .> 0, take .!= x]
          + [u.target[x] .== BV.ite(SymPTE.isPresent(old), SymPTE.frame(old), cr3None), u.target[release] .== cr3None]
          + [SymPTE.isPresent(e).implies(u.target[take] .== SymPTE.frame(e) && SymPTE.frame(e) .!= cr3None)]
      },
      slots: [(t, i)], frames: { _ in [t] },
      witnesses: [.word("caller", d), .word("table", t), .word("index", i), .word("entry", e)])
    if let c { step.holderMoves = { _ in (c.old ? [.relabel(x, to: release)] : []) + (c.new ? [.relabel(take, to: x)] : []) } }
    if byCases {
      step.cases = [false, true].flatMap { old in
        [false, true].map { new in mmuUpdateUpperSetEntry(known: UpperCase(old: old, new: new), relabels: relabels)() }
      }
    }
    return step
  }
}

/// The take and the release, by `NestedCase`.
func validateUpperEntryByCases() -> PTStep { byNestedCases { validateUpperEntry(case: $0)() }() }
func unvalidateUpperEntryByCases() -> PTStep { byNestedCases { unvalidateUpperEntry(case: $0)() }() }

/// One obligation per case of `NestedCase` (a partition), by cases.
private func byNestedCases(_ make: @escaping @Sendable (NestedCase) -> PTStep) -> @Sendable () -> PTStep {
  {
    var step = make(.held)
    step.cases = NestedCase.allCases.map(make)
    return step
  }
}

let recursiveValidationObligations: [Obligation] = {
  let rc = referenceCountsEquationsPT, ri = referenceIndexPT, rs = referenceSlotsPT
  let ts = typeSafetyPT, iso = isolationPT
  let validate = byNestedCases { validateUpperEntry(case: $0)() }
  let unvalidate = byNestedCases { unvalidateUpperEntry(case: $0)() }
  return [
    localObligation("mmuextOpPinL2-L4ValidateStart", rc, step: pinUpperStart(), mutants: [("noGetPage", pinUpperStart(.noGetPage))]),
    localObligation("mmuextOpPinL2-L4ValidateStart", ri, step: pinUpperStart()),
    localObligation("mmuextOpPinL2-L4ValidateStart", rs, step: pinUpperStart()),
    localObligation(
      "mmuextOpPinL2-L4ValidateStart", ts, step: pinUpperStart(), mutants: [("noValidatedFlag", pinUpperStart(.noValidatedFlag))]),
    localObligation("mmuextOpPinL2-L4ValidateStart", iso, step: pinUpperStart()),
    ownershipObligation("mmuextOpPinL2-L4ValidateStart", step: pinUpperStart(), mutants: [("pinsFreeFrame", pinUpperStart(.noOwnerCheck))]),
    cr3RootsObligation("mmuextOpPinL2-L4ValidateStart", step: pinUpperStart()),

    localObligation("mmuextOpPinL2-L4Validate", rc, step: validate, mutants: [("noGetPage", validateUpperEntry(.noGetPage, case: .held))]),
    localObligation(
      "mmuextOpPinL2-L4Validate", ri, step: validate, mutants: [("startsMidway", validateUpperEntry(.startsMidway, case: .l1))]),
    localObligation("mmuextOpPinL2-L4Validate", rs, step: validate),
    localObligation(
      "mmuextOpPinL2-L4Validate", ts, step: validate, mutants: [("retypesHeld", validateUpperEntry(.retypesHeld, case: .held))]),
    localObligation("mmuextOpPinL2-L4Validate", iso, step: validate),
    ownershipObligation(
      "mmuextOpPinL2-L4Validate", step: validate, mutants: [("noEntryChecks", validateUpperEntry(.noEntryChecks, case: .upper))]),
    cr3RootsObligation("mmuextOpPinL2-L4Validate", step: validate),
    cr3CountedObligation("mmuextOpPinL2-L4Validate", step: validate),

    localObligation("mmuextOpUnpinL2-L4UnvalidateStart", rc, step: unpinUpperStart()),
    localObligation("mmuextOpUnpinL2-L4UnvalidateStart", ri, step: unpinUpperStart()),
    localObligation("mmuextOpUnpinL2-L4UnvalidateStart", rs, step: unpinUpperStart()),
    localObligation(
      "mmuextOpUnpinL2-L4UnvalidateStart", ts, step: unpinUpperStart(),
      mutants: [("noValidatedFlag", unpinUpperStart(.noValidatedFlag))]),
    localObligation("mmuextOpUnpinL2-L4UnvalidateStart", iso, step: unpinUpperStart()),
    ownershipObligation("mmuextOpUnpinL2-L4UnvalidateStart", step: unpinUpperStart()),
    cr3RootsObligation("mmuextOpUnpinL2-L4UnvalidateStart", step: unpinUpperStart(), counted: true),

    localObligation(
      "mmuextOpUnpinL2-L4Unvalidate", rc, step: unvalidate, mutants: [("noPutPage", unvalidateUpperEntry(.noPutPage, case: .held))]),
    localObligation("mmuextOpUnpinL2-L4Unvalidate", ri, step: unvalidate),
    localObligation(
      "mmuextOpUnpinL2-L4Unvalidate", rs, step: unvalidate,
      mutants: [("noUnvalidation", unvalidateUpperEntry(.noUnvalidation, case: .l1))]),
    localObligation(
      "mmuextOpUnpinL2-L4Unvalidate", ts, step: unvalidate,
      mutants: [("noValidatedFlag", unvalidateUpperEntry(.noValidatedFlag, case: .upper))]),
    localObligation("mmuextOpUnpinL2-L4Unvalidate", iso, step: unvalidate),
    ownershipObligation("mmuextOpUnpinL2-L4Unvalidate", step: unvalidate, facts: .counts),
    cr3RootsObligation("mmuextOpUnpinL2-L4Unvalidate", step: unvalidate, counted: true),
    cr3CountedObligation("mmuextOpUnpinL2-L4Unvalidate", step: unvalidate),

    localObligation("mmuextOpUnpinL2-L4UnvalidatePut", rc, step: unvalidateUpperPut(), mutants: [("noPutPage", unvalidateUpperPut(.noPutPage))]),
    localObligation("mmuextOpUnpinL2-L4UnvalidatePut", ri, step: unvalidateUpperPut()),
    localObligation("mmuextOpUnpinL2-L4UnvalidatePut", rs, step: unvalidateUpperPut()),
    localObligation("mmuextOpUnpinL2-L4UnvalidatePut", ts, step: unvalidateUpperPut()),
    localObligation("mmuextOpUnpinL2-L4UnvalidatePut", iso, step: unvalidateUpperPut()),
    ownershipObligation("mmuextOpUnpinL2-L4UnvalidatePut", step: unvalidateUpperPut(), facts: .counts),
    cr3RootsObligation("mmuextOpUnpinL2-L4UnvalidatePut", step: unvalidateUpperPut()),
    cr3CountedObligation("mmuextOpUnpinL2-L4UnvalidatePut", step: unvalidateUpperPut()),

    // an entry update on an upper table: the new entry's references (Validate, above), this,
    // the old entry's release (Unvalidate, UnvalidatePut, above)
    localObligation("mmuUpdateUpperSetEntry", rc, step: mmuUpdateUpperSetEntry()),
    localObligation("mmuUpdateUpperSetEntry", ri, step: mmuUpdateUpperSetEntry()),
    localObligation("mmuUpdateUpperSetEntry", rs, step: mmuUpdateUpperSetEntry()),
    localObligation("mmuUpdateUpperSetEntry", ts, step: mmuUpdateUpperSetEntry()),
    localObligation("mmuUpdateUpperSetEntry", iso, step: mmuUpdateUpperSetEntry()),
    ownershipObligation("mmuUpdateUpperSetEntry", step: mmuUpdateUpperSetEntry()),
    cr3RootsObligation("mmuUpdateUpperSetEntry", step: mmuUpdateUpperSetEntry()),
  ]
}()

// MARK: goals

/// A page-table invariant across a step that writes only frame fields (counts, types, flags, the
/// ext counts, the ghosts, the CR3s) and no L1 enumeration, and no entry of a table that can be a
/// live L1 (mmuUpdateUpperSetEntry writes an upper table's), point-wise, one goal per claimed point
/// (as `upperPTGoal`; fewer hypotheses than `ptGroundGoal`'s closure, so Z3 has less to
/// bit-blast): at each frame the step touches, from every invariant there and its counts below
/// 2^58; at any other frame, from the invariant there; at any slot, from the invariants there, at
/// its table and at the touched frames (a slot whose target's type changes must not be a live R/W
/// one: its enumeration and the target's count say so); at any position, from the invariant there
/// and typeSafety at the tables of the slots it holds (a slot stays live: its table's type does).
/// By the step's cases, if it has any.
func localPTGoal(_ inv: PTInvariant, _ step: PTStep) -> Goal {
  if !step.cases.isEmpty { return .byCases(step.cases.flatMap { localPTGoal(inv, $0).cases }) }
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let cf = BV("claim.frame"), ct = BV("claim.table"), ci = BV("claim.index"), ck = BV("claim.position")
  let witnesses = step.witnesses + [
    .word("claim.frame", cf), .word("claim.table", ct), .word("claim.index", ci), .word("claim.position", ck),
  ]
  let touched = step.claimFrames(s)
  let base = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions
  func bounds(_ f: BV) -> [Z3Bool] { [s.pt.l1Refs[f], s.pt.wRefs[f], s.pt.extRefs[f], s.pt.extTyped[f]].map { $0 .< (1 << 58) } }
  func goal(_ claim: Z3Bool, _ hyps: [Z3Bool]) -> Goal {
    Goal(claim: claim, hypotheses: base + hyps, witnesses: witnesses, logic: "QF_UFBV")
  }
  let invs = pageTableInvariants
  var goals: [Goal] = []
  let atFrame = inv.name == referenceCountsEquationsPT.name || inv.name == typeSafetyPT.name
  if atFrame {
    for f in touched { goals.append(goal(inv.atFrame(next, f), invs.map { $0.atFrame(s, f) } + bounds(f))) }
    goals.append(goal(all(touched.map { cf .!= $0 }).implies(inv.atFrame(next, cf)), [inv.atFrame(s, cf)]))
  }
  if inv.name != referenceCountsEquationsPT.name && inv.name != referenceSlotsPT.name {
    let atTouched = touched.flatMap { f in [refIndexAtSlot(s, ct, ci, to: f), refCountsAtFrame(s, f), typeSafetyAtFrame(s, f)] + bounds(f) }
    goals.append(goal(inv.atSlot(next, ct, ci), invs.map { $0.atSlot(s, ct, ci) } + [typeSafetyAtFrame(s, ct)] + atTouched))
  }
  if inv.name == referenceSlotsPT.name {
    let tables = [s.pt.refSlot[cf, ck], s.pt.wSlot[cf, ck]].map { typeSafetyAtFrame(s, ptSlotTable($0)) }
    goals.append(goal(inv.atPosition(next, cf, ck), [inv.atPosition(s, cf, ck)] + tables))
  }
  return .byCases(goals)
}

/// `<op>_<inv>` by `localPTGoal`, with mutants of weakened steps (none: the invariant not assumed
/// before the step).
func localObligation(
  _ op: String, _ inv: PTInvariant, step: @escaping @Sendable () -> PTStep, mutants: [(String, @Sendable () -> PTStep)] = []
) -> Obligation {
  Obligation("\(op)_\(inv.name)", mutants: ptMutants(inv, step: step, mutants)) { localPTGoal(inv, step()) }
}
