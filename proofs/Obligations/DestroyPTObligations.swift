// domainDestroy × isolation and referenceCounts (its three parts: the equations, referenceIndex,
// referenceSlots) in the L1 page-table model of PageTableObligations.swift (read its file comment
// first), point-wise, as GrantPTObligations.swift does for the grant and memory ops.
//
// The Spec's `domainDestroy` (Spec/Domains.swift), after its checks (privileged live caller;
// live target ≠ the caller's domain; EBUSY while another domain holds a grant mapping of one of
// the target's grants):
//   1. for every L1 of the target (type l1, count > 0), every present entry to a frame the target
//      does not own releases its references (putEntryReferences); the entry itself stays;
//   2. its grant mappings are released (releaseGrantMapping);
//   3. every frame it owns is scrubbed and freed (owner free, type none, counts 0, unpinned,
//      contents gone); then its vCPUs (so its CR3s), grant table, mappings and ports go.
//
// isolation (the WHOLE destroy). Steps 1 and 2 change only counts and enumerations (not read by
// isolation), the target's own grant permissions, and the type of frames that lose their last
// `writable` typed reference (a released R/W entry's target is `writable`: typeSafety at that
// slot; a writable mapping's frame is `writable`): they untype `writable` frames only, which the
// step writes as "any `writable` frame may become untyped" (a free choice per frame: an
// over-approximation of the loops, so argued only to that extent). Step 3 untypes the target's
// tables (no live slot is left in them) and frees its frames. A surviving domain e's live slot
// keeps its table, type and entry; if it maps its own frame, that owner stays. If it maps a frame
// by a grant permission (`pt.grantRead[e, f]`), the frame must not be the target's, or it is freed
// under the mapping: what prevents that is the EBUSY check, through the permission's witness
// (GrantMappingObligations.swift, proved invariants, assumed here at the claimed slot's pair:
// `grantLinkFacts`): the entry `pt.grantKey[e, f]` is in use, mapped and names f, which its
// granter g owns. EBUSY refuses while an entry of the target's is mapped (stated at that witness
// entry, an instance of the Spec's ∀), so g is not the target and f is not freed. The claim is isolation AND the grant link at the
// slot's (owner, target) pair afterwards (the link the frameOwnership goals assume at a released
// entry's pair): without the EBUSY check the permission survives but names a free frame, so the
// link part fails; isolation's own clause (`own || granted`) reads only the permission, which
// the Spec's grantAllows also keeps (the Spec's grantConsistency and referenceCounts are what
// break). Mutants: no EBUSY check (`noBusyCheck`: the link), the tables freed but kept typed
// and unscrubbed (`keepsTables`: a free frame's L1 stays live).
//
// referenceCounts (its three parts) across steps 1 and 3. A ghost marker,
// `SymPageTables.released` = (target, cursor), says which of the target's L1 entries to frames it
// does not own have released their references: those whose slot encoding t << 9 | i is below the
// cursor, or all (no cursor, after the loop). Such an entry is present but not live (ptLive),
// hence in no enumeration and counted nowhere. Outside destroy the marker is nil and the
// invariants are literally the ones without it.
// - Step 1 is proved AS A LOOP, as the pin/unpin (un)validation loops are: the start (cursor 0:
//   nothing released, the invariants unchanged; mutant `startsMidway`), ONE ITERATION at the
//   cursor (cursor c ⇒ c + 1: the slot, if released, drops its references and leaves its
//   target's enumerations by the modEntry "entry → absent" goals, by case; mutant `noPutPage`),
//   the finish (cursor frameCount << 9, past every slot of an existing frame: typeSafety puts every
//   L1 below frameCount; ⇒ the marker without a cursor; mutant `finishesEarly`). By induction on
//   the cursor the invariants hold after the loop. The Spec's order (owned frames, then entries by
//   index) is the encoding's: `ownedFrames` is ascending (the releases commute anyway).
// - Step 2 (the grant mappings) is ARGUED: each release is grantUnmap's effect without its EBUSY
//   checks, which the counting obligations of grantUnmap leave out (proved: `grantUnmap_reference*`,
//   in states without the marker; the marker only removes live slots, on which those arguments do
//   not rest).
// - Step 3 (the TEARDOWN) is proved from the marked state after the loops. It zeroes the ghost
//   counts of the target's frames: their l1Refs and wRefs are their live slots (the enumerations;
//   proved empty of other domains' slots below), their ext references (L2–L4 entries, CR3s, grant
//   mappings: not enumerated in this model) are ARGUED to be the target's own (its L2–L4 tables
//   and CR3s go with it; another domain's upper tables map only its own frames, Spec isolation;
//   another domain's grant mappings of the target's frames are refused by EBUSY). What the proofs
//   carry: referenceIndex — a live slot after is a survivor's (the target's tables are untyped),
//   live before, enumerated at its target, which is not the target's (isolation + the
//   permission's witness + EBUSY, as above), so its count stands; referenceSlots — a position of a freed
//   frame is beyond its count 0, and one of any other frame holds a slot live before, so not a
//   target table's (those slots to foreign frames are released), which stays live. Mutants: no
//   EBUSY check (referenceIndex: a survivor's slot enumerated at a freed frame, count 0), the
//   teardown without the release loop (`skipsRelease`, referenceSlots: a target table's slot to a
//   foreign frame stays enumerated and dies), a freed frame left pinned (`keepsPins`, the
//   equations).

import BulkheadCore
import Z3Kit

/// Checks or effects a destroy mutant drops.
enum DestroyPTBug: Equatable {
  case none
  /// The EBUSY check (another domain maps one of the target's grants).
  case noBusyCheck
  /// scrubAndFree resetting the owner but neither the type nor the contents; not clearing `pinned`.
  case keepsTables, keepsPins
  /// The teardown run on a state where the release loop did not run (no `released` marker).
  case skipsRelease
  /// A release's putPageType leaving the type at count 0.
  case keepsTypeAtZero
  /// The teardown zeroing its frames' holder counts but keeping the holders' targets.
  case keepsHolders
  /// The target's vCPUs' CR3s kept (on frames freed under them).
  case keepsCR3s
  /// The release loop: an entry released without its putPage; the loop started at an arbitrary
  /// cursor; the loop left before the cursor reaches the end.
  case noPutPage, startsMidway, finishesEarly
}

/// isolation at slot (t, i) with the grant link at its pair: the claim of `domainDestroy_isolation`.
func isolationLinkedAtSlot(_ s: SymState, _ t: BV, _ i: BV) -> Z3Bool {
  isolationAtSlot(s, t, i) && ptLive(s, t, i).implies(grantLinkAt(s, s.owner[t], ptTarget(s, t, i)))
}
let isolationLinkedPT = PTInvariant(name: "isolation", atSlot: isolationLinkedAtSlot)

/// The slot the goals claim at (the EBUSY check and the grant link's facts are instantiated there).
private var claimedSlot: (BV, BV) { (BV("claim.table"), BV("claim.index")) }

// MARK: transition

/// `domainDestroy(caller:target:)` in the L1 model. `releases`: run the effects of the release
/// loops (steps 1 and 2) as isolation sees them (the whole destroy); false: the teardown alone,
/// from the state after the loops (the `released` marker set by the step's `initial`).
///
/// Checks, in the Spec's order: `symDestroyChecks`; EBUSY: an entry of the target's grant table
/// is mapped, stated at the entries of `busyAt` (the Spec checks every entry: checking some
/// refuses less, an over-approximation).
func symDomainDestroyL1(caller c: BV, target d: BV, releases: Bool, busyAt keys: [BV], bug: DestroyPTBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symDestroyChecks(&r, s, caller: c, target: d)
    if bug != .noBusyCheck {
      for k in keys { r.throwIf(SymState.granter(ofKey: k) .== d && s.gMapCount[k] .!= 0, DecisionErrno.EBUSY) }
    }
    var n = s
    if releases {
      // 1, 2: a `writable` frame losing its last typed reference is untyped (any may: free choice)
      let drops = Field.fresh("domainDestroy.untypes")
      n.type = s.type.setWhere({ f in s.type[f] .== DecisionPageType.writable && flag(drops[f]) }) { _ in
        BV(constant: DecisionPageType.none)
      }
      // its grant mappings are gone, so are its permissions
      let (gr, gw) = (s.pt.grantRead, s.pt.grantWrite)
      n.pt.grantRead = Field2 { e, f in BV.ite(e .== d, kFalse, gr[e, f]) }
      n.pt.grantWrite = Field2 { e, f in BV.ite(e .== d, kFalse, gw[e, f]) }
    }
    // 3: for mfn in owned { s.scrubAndFree(mfn) }
    let owned: (BV) -> Z3Bool = { f in s.owner[f] .== d }
    let before = n
    n.owner = before.owner.setWhere(owned) { _ in BV(constant: DecisionOwner.free) }
    if bug != .keepsTables { n.type = before.type.setWhere(owned) { _ in BV(constant: DecisionPageType.none) } }
    n.typeCount = before.typeCount.setWhere(owned) { _ in kFalse }
    n.refCount = before.refCount.setWhere(owned) { _ in kFalse }
    if bug != .keepsPins { n.pinned = before.pinned.setWhere(owned) { _ in kFalse } }
    n.validated = before.validated.setWhere(owned) { _ in kFalse }
    let pte = before.pt.pte
    if bug != .keepsTables { n.pt.pte = Field2 { t, j in BV.ite(owned(t), kFalse, pte[t, j]) } }  // contents[mfn] = nil
    // ghost: the references left on its frames are its own (argued, file comment) and go with them
    n.pt.l1Refs = before.pt.l1Refs.setWhere(owned) { _ in kFalse }
    n.pt.wRefs = before.pt.wRefs.setWhere(owned) { _ in kFalse }
    n.pt.extRefs = before.pt.extRefs.setWhere(owned) { _ in kFalse }
    n.pt.extTyped = before.pt.extTyped.setWhere(owned) { _ in kFalse }
    // (their CR3s are the target's vCPUs', cleared below, and the rest its own: cr3Counted)
    n.pt.cr3.count = before.pt.cr3.count.setWhere(owned) { _ in kFalse }
    n.pt.cr3.otherRefs = before.pt.cr3.otherRefs.setWhere(owned) { _ in kFalse }
    n.pt.cr3.otherTyped = before.pt.cr3.otherTyped.setWhere(owned) { _ in kFalse }
    n.pt.cr3.grantRefs = before.pt.cr3.grantRefs.setWhere(owned) { _ in kFalse }
    n.pt.cr3.grantTyped = before.pt.cr3.grantTyped.setWhere(owned) { _ in kFalse }
    // (the holders targeting its frames go: their entries are in its tables, argued as above)
    let u = before.pt.upper
    n.pt.upper.count = u.count.setWhere(owned) { _ in kFalse }
    n.pt.pendingPut = before.pt.pendingPut.setWhere(owned) { _ in kFalse }
    if bug != .keepsHolders { n.pt.upper.target = u.target.setWhere({ h in owned(u.target[h]) }) { _ in cr3None } }
    n.pt.released = nil
    n.pt.validating = nil
    n.pt.unvalidating = nil
    n.pt.pinning = nil
    n.pt.unpinning = nil
    // its vCPUs go, and with them their CR3s (the CR3 references were the target's frames', now
    // freed); grant table, mappings, ports: not read by these invariants
    if bug != .keepsCR3s {
      let root = before.pt.cr3.root
      n.pt.cr3.root = Field { v in BV.ite(vcpuDomain(v) .== d, cr3None, root[v]) }
    }
    return (r, n)
  }
}

// MARK: the release loop (step 1), as a loop over a ghost cursor

/// The start of step 1, after the checks: the cursor at 0 (no slot released yet).
func symReleaseStart(target d: BV, bug: DestroyPTBug = .none) -> SymTransition {
  { s in
    var n = s
    n.pt.released = (d, bug == .startsMidway ? BV("badCursor") : BV(constant: 0))
    return (Refusals(), n)
  }
}

/// One iteration of step 1 at the cursor, slot (t, i) (encoding t << 9 | i: the Spec's order,
/// owned frames ascending and entries by index; the releases commute, so the order is immaterial
/// to the net effect): if t is an L1 of the target in use and the entry is present and maps a
/// frame the target does not own, putEntryReferences (putPageType if R/W, of a `writable` frame,
/// so flat; putPage); the entry stays. Ghost: the slot leaves its target's enumerations (it is no
/// longer live: the marker's cursor passes it). `known`: the step restricted to one case (not
/// released / a read-only / an R/W entry released), for the proofs by cases.
func symReleaseEntry(table t: BV, index i: BV, bug: DestroyPTBug = .none, known k: EntryKind? = nil) -> SymTransition {
  { s in
    var r = Refusals()
    let d = s.pt.released!.domain
    let e = s.pt.pte[t, i], a = SymPTE.frame(e)
    var rel = s.owner[t] .== d && s.type[t] .== DecisionPageType.l1 && s.typeCount[t] .> 0 && SymPTE.isPresent(e)
      && s.owner[a] .!= d
    var rw = rel && SymPTE.isWritable(e)
    if let k { known(&r, k, present: &rel, rw: &rw) }
    let x = ptSlot(t, i)
    var n = symReleaseSlot(s, slot: x, target: a, present: rel, rw: rw, putPage: bug != .noPutPage, retypes: bug != .keepsTypeAtZero)
    n.pt.released = (d, x &+ 1)
    return (r, n)
  }
}

/// The end of step 1: the cursor past every slot of an existing frame (frameCount << 9); from
/// here on every release is done (the marker without a cursor, the teardown's pre-state).
func symReleaseFinish() -> SymTransition {
  { s in
    var n = s
    n.pt.released = (s.pt.released!.domain, nil)
    return (Refusals(), n)
  }
}

private func releaseStartStep(_ bug: DestroyPTBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("target")
    return PTStep(transition: symReleaseStart(target: d, bug: bug), slots: [], frames: { _ in [] }, witnesses: [.word("target", d)])
  }
}

private func releaseEntryStep(_ bug: DestroyPTBug = .none, byCases: Bool = false) -> @Sendable () -> PTStep {
  {
    let d = BV("target"), t = BV("table"), i = BV("index")
    let e = SymState().pt.pte[t, i]
    var step = PTStep(
      transition: symReleaseEntry(table: t, index: i, bug: bug),
      initial: { var s = $0; s.pt.released = (d, ptSlot(t, i)); return s },
      // the loop runs over the slots of existing frames
      hypotheses: { s in [i .< 512, t .< s.frameCount] },
      slots: [(t, i)], frames: { _ in [t, SymPTE.frame(e)] },
      witnesses: [.word("target", d), .word("table", t), .word("index", i), .word("entry", e)])
    guard byCases else { return step }
    step.cases = EntryKind.allCases.map { k in
      var one = step
      one.transition = symReleaseEntry(table: t, index: i, bug: bug, known: k)
      // as modEntry from this entry to an absent one (no setEntry: the slot dies by the cursor)
      one.entry = (t, i, kFalse, ModEntryCase(old: k, new: .absent, sameTarget: nil))
      // a released entry's table is an L1 in use; otherwise, an L1 is in use (typeSafety), so the
      // slot does not die by the cursor unless released
      one.tableFacts = { s in
        k != .absent
          ? [s.type[t] .== DecisionPageType.l1, s.typeCount[t] .> 0]
          : [(s.type[t] .== DecisionPageType.l1).implies(s.typeCount[t] .> 0)]
      }
      one.claimFrames = { _ in k != .absent ? [SymPTE.frame(e)] : [] }
      one.claimSlots = { s in entryClaimSlots(s, t, i, oldTarget: SymPTE.frame(e), old: k) }
      return one
    }
    return step
  }
}

private func releaseFinishStep(_ bug: DestroyPTBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("target"), c = BV("cursor")
    return PTStep(
      transition: symReleaseFinish(),
      initial: { var s = $0; s.pt.released = (d, bug == .finishesEarly ? c : s.frameCount << 9); return s },
      hypotheses: { s in bug == .finishesEarly ? [c .< s.frameCount << 9] : [] },
      slots: [], frames: { _ in [] }, witnesses: [.word("target", d), .word("cursor", c)])
  }
}

private func loopObligation(
  _ op: String, _ inv: PTInvariant, step: @escaping @Sendable () -> PTStep, mutant: (String, @Sendable () -> PTStep)? = nil
) -> Obligation {
  Obligation("\(op)_\(inv.name)", mutants: ptMutants(inv, step: step, mutant.map { [$0] } ?? [])) { ptGroundGoal(inv, step()) }
}

// MARK: steps

func destroyStep(releases: Bool, _ bug: DestroyPTBug = .none) -> @Sendable () -> PTStep {
  {
    let c = BV("caller"), d = BV("target")
    let (ct, ci) = claimedSlot
    var step = PTStep(
      // EBUSY at the witness entry of the claimed slot's permission
      transition: { s in
        symDomainDestroyL1(caller: c, target: d, releases: releases, busyAt: [s.pt.grantKey[s.owner[ct], ptTarget(s, ct, ci)]], bug: bug)(s)
      },
      // the grant link with its witness at the claimed slot's pair (proved invariants)
      hypotheses: { s in grantLinkFacts(s, s.owner[ct], ptTarget(s, ct, ci)) },
      slots: [], frames: { _ in [] },
      witnesses: [.word("caller", c), .word("target", d)])
    // the teardown starts after the release loops (none in the `skipsRelease` mutant)
    if !releases && bug != .skipsRelease {
      step.initial = { s in
        var m = s
        m.pt.released = (d, nil)
        return m
      }
    }
    return step
  }
}

// MARK: obligations

/// The goal, point-wise: the claim at a fresh frame, a fresh slot and a fresh position (each a
/// case; parts the invariant does not have are skipped), from the invariants `parts` before the
/// step at the same point only (a slot: also its target), and isolation at the slot for the
/// slot case. The step's updates are `setWhere`s over "owned by the target", decided at each point
/// by the point's own owner: no other point is needed.
private func destroyPTGoal(_ inv: PTInvariant, _ step: PTStep, assuming parts: [PTInvariant]) -> Goal {
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let cf = BV("claim.frame"), (ct, ci) = claimedSlot, ck = BV("claim.position")
  let common = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions
  func bounds(_ f: BV) -> [Z3Bool] { [s.pt.l1Refs[f], s.pt.wRefs[f], s.pt.extRefs[f], s.pt.extTyped[f]].map { $0 .< (1 << 58) } }
  let target = ptTarget(s, ct, ci)
  let cases: [(claim: Z3Bool, hypotheses: [Z3Bool])] = [
    (inv.atFrame(next, cf), parts.map { $0.atFrame(s, cf) } + bounds(cf)),
    (inv.atSlot(next, ct, ci), parts.map { $0.atSlot(s, ct, ci) } + parts.map { $0.atFrame(s, target) } + bounds(target)),
    (inv.atPosition(next, cf, ck), parts.map { $0.atPosition(s, cf, ck) } + bounds(cf)),
  ]
  let witnesses = step.witnesses + [.word("claim.frame", cf), .word("claim.table", ct), .word("claim.index", ci)]
  return .byCases(
    cases.filter { $0.claim.constant != true }.map { c in
      Goal(claim: c.claim, hypotheses: common + c.hypotheses, witnesses: witnesses, logic: "QF_UFBV")
    })
}

private func destroyPTObligation(
  _ inv: PTInvariant, assuming parts: [PTInvariant], releases: Bool, mutants: [(String, DestroyPTBug)]
) -> Obligation {
  Obligation(
    "domainDestroy_\(inv.name)",
    mutants: mutants.map { m in Mutant(m.0) { ptMutantGoal(inv, destroyStep(releases: releases, m.1)()) } }
  ) { destroyPTGoal(inv, destroyStep(releases: releases)(), assuming: parts) }
}

let destroyPageTableObligations: [Obligation] = {
  let rc = referenceCountsEquationsPT, ri = referenceIndexPT, rs = referenceSlotsPT, iso = isolationPT
  return [
    // the whole destroy: a survivor's live slot keeps its permission, and (EBUSY) its frame
    destroyPTObligation(
      isolationLinkedPT, assuming: [iso], releases: true, mutants: [("noBusyCheck", .noBusyCheck), ("keepsTables", .keepsTables)]),
    // the teardown, from the state after the release loops (argued)
    destroyPTObligation(rc, assuming: [rc], releases: false, mutants: [("keepsPins", .keepsPins)]),
    destroyPTObligation(ri, assuming: [ri, iso], releases: false, mutants: [("noBusyCheck", .noBusyCheck)]),
    destroyPTObligation(rs, assuming: [rs], releases: false, mutants: [("skipsRelease", .skipsRelease)]),
    // (the L1 model's typeSafety: a survivor's live R/W entry maps no freed frame, by isolation
    // and EBUSY as for referenceIndex; the general model's is domainDestroy_typeSafety)
    destroyPTObligation(typeSafetyL1PT, assuming: [typeSafetyPT, iso], releases: false, mutants: [("noBusyCheck", .noBusyCheck)]),
    // domainConsistency's CR3 part: the target's vCPUs and CR3s go; another domain's root is
    // that domain's frame (cr3Roots), so neither freed nor untyped
    cr3RootsObligation(
      "domainDestroy", step: destroyStep(releases: true), mutants: [("keepsCR3s", destroyStep(releases: true, .keepsCR3s))]),
    // the CR3 counting on the freed frames goes with their references
    cr3CountedObligation("domainDestroy", step: destroyStep(releases: false)),
    // the target's frames are freed scrubbed (frameOwnership's contents clause, established here)
    scrubbedObligation(
      "domainDestroy", step: destroyStep(releases: false), mutant: ("keepsTables", destroyStep(releases: false, .keepsTables))),
    // the release loop (step 1): start, one iteration, finish (the teardown's pre-state)
    loopObligation("domainDestroyReleaseStart", rc, step: releaseStartStep()),
    loopObligation("domainDestroyReleaseStart", ri, step: releaseStartStep()),
    loopObligation("domainDestroyReleaseStart", rs, step: releaseStartStep(), mutant: ("startsMidway", releaseStartStep(.startsMidway))),
    loopObligation("domainDestroyRelease", rc, step: releaseEntryStep(byCases: true), mutant: ("noPutPage", releaseEntryStep(.noPutPage))),
    loopObligation("domainDestroyRelease", ri, step: releaseEntryStep(byCases: true)),
    loopObligation("domainDestroyRelease", rs, step: releaseEntryStep(byCases: true)),
    // a released R/W entry's target is `writable` (typeSafety at the slot), so its putPageType is
    // flat, and at count 0 no live R/W entry maps it (its enumeration)
    // (the loop's start and finish write only the marker, which only ends slots' liveness: no
    // typeSafety clause can break, so no mutant either)
    loopObligation(
      "domainDestroyRelease", typeSafetyL1PT, step: releaseEntryStep(byCases: true),
      mutant: ("keepsTypeAtZero", releaseEntryStep(.keepsTypeAtZero))),
    loopObligation("domainDestroyReleaseFinish", rc, step: releaseFinishStep()),
    loopObligation("domainDestroyReleaseFinish", ri, step: releaseFinishStep()),
    loopObligation("domainDestroyReleaseFinish", rs, step: releaseFinishStep(), mutant: ("finishesEarly", releaseFinishStep(.finishesEarly))),
  ]
}()
