// grantMap_ / grantUnmap_ / populatePhysmap_ / decreaseReservation_ × referenceCounts (its three
// parts), typeSafetyL1 and isolation, in the L1 page-table model of PageTableObligations.swift
// (read its file comment first), point-wise (`grantPTGoal`; mutants in `ptMutantGoal`'s small
// state).
//
// That model folds the references grant mappings hold into the ghost counts `pt.extRefs` /
// `pt.extTyped` (refCount == l1Refs + pin + extRefs, typeCount == wRefs + pin + extTyped) and
// sees a domain's grant mappings only through `pt.grantRead[d, f]` / `pt.grantWrite[d, f]` (the
// Spec's `grantAllows(d, f, writable: false / true)`). In it a grant map is getPage (and for a
// writable mapping getPageType(.writable)) on the frame, one more ext reference (typed if
// writable) and the caller's permissions on the frame set; an unmap is the reverse, with the
// permissions recomputed from the caller's mappings that remain. The memory ops change an owner
// (which isolation reads) and free a frame (whose counts and contents every invariant reads).
//
// What keeps each invariant (the mutants drop it):
// - grantMap: getPageType's type check. A frame typed otherwise is refused, so a page table never
//   becomes `writable` and no live L1 loses its type (its slots would die while still counted).
//   Permissions only grow, so isolation holds by itself.
// - grantUnmap: its EBUSY checks (Rule.grantOutlivesItsUsers). A present entry of the caller's
//   L1s that maps the frame keeps it mapped by another mapping (a writable one for a writable
//   entry, when the mapping going was writable), so the permission isolation needs survives.
//   The Spec checks every such entry (`l1References`: a ∀ over slots); the isolation goal states
//   the check at the slot it claims at, an instance of the hypothesis (refusing less: an
//   over-approximation; the other goals need none). And a writable mapping's frame is `writable`,
//   no table: putPageType un-validates nothing, and when its type count reaches 0 no R/W slot
//   maps it (the counting equation, with the mapping's own typed reference among ext).
// - populatePhysmap: the frame is free, hence untyped (frameOwnership at it): no live L1 changes
//   owner. A live slot mapping it did so by a grant (a free frame is no domain's own), and keeps it.
// - decreaseReservation: no reference, type or pin on the frame (EBUSY): it is no L1 and no live
//   slot maps it (a live slot has a position below its target's l1Refs, and refCount counts
//   them). Its contents are scrubbed.
//
// `typeSafetyL1` is the L1 model's typeSafety (the frame-local part and "a live R/W entry targets
// a `writable` frame") for these steps, named apart from the general model's `<op>_typeSafety`;
// `bulkhead prove --matrix` counts it for typeSafety. populatePhysmap writes nothing it reads.

import BulkheadCore
import Z3Kit

/// The slot the page-table goals claim at (`grantPTGoal`, `ptMutantGoal`): grantUnmap's ∀-slot
/// EBUSY check is instantiated there.
private var claimedSlot: (BV, BV) { (BV("claim.table"), BV("claim.index")) }

/// Checks a grant or memory-op mutant of the L1 model drops.
enum GrantPTBug: Equatable {
  case none
  /// grantMap: the new mapping not enrolled; grantUnmap: the mapping not retired
  /// (GrantMappingObjects.swift).
  case mappingNotEnrolled, mappingNotRetired
  /// grantMap / grantUnmap: the grant share of the frame's non-CR3 counts not moved.
  case grantShareNotMoved
  /// grantMap: getPageType(.writable)'s type check.
  case noTypeCheck
  /// grantUnmap: the first EBUSY check (another mapping); the second (another writable one).
  case noBusyCheck, noWritableBusyCheck
  /// grantUnmap: putPageType for a read-only mapping; the handle check (what the Spec knows of
  /// an existing mapping is not assumed).
  case readOnlyPutsType, doubleUnmap
  /// grantMap: the in-use check. grantUnmap: the permission kept by a free boolean, without a
  /// witness mapping (the model before grant mappings had witnesses).
  case noInUseCheck, othersUnwitnessed
  /// decreaseReservation: the frame freed without its scrub.
  case noScrub
  /// decreaseReservation: the reference / type / pin check. populatePhysmap: the free check.
  case freesReferencedFrame, takesNonFreeFrame
}

/// The typeSafety part of the L1 model, for steps whose `<op>_typeSafety` is the general model's.
let typeSafetyL1PT = PTInvariant(name: "typeSafetyL1", atFrame: typeSafetyAtFrame, atSlot: typeSafetyAtSlot)

// MARK: transitions

/// `grantMap(caller:granter:ref:readOnly:)` in the L1 model: `symGrantMap` (live caller;
/// resolveGrant; getPage; for a writable mapping getPageType(.writable), EINVAL if typed
/// otherwise, no validation for a non-table type; the entry's map count), and the new mapping
/// in the ghost: one more ext reference on the frame (a typed one if writable), and the caller
/// may map the frame (writable too if the mapping is).
func symGrantMapL1(caller d: BV, key k: BV, readOnly ro: Z3Bool, mapping m: BV = mappingId, bug: GrantPTBug = .none) -> SymTransition {
  { s in
    let drop: GrantMapCheck = bug == .noTypeCheck ? .typeCheck : bug == .noInUseCheck ? .inUseCheck : .none
    let (r, mapped) = symGrantMap(caller: d, key: k, readOnly: ro, drop: drop)(s)
    let f = s.gFrame[k]
    var n = mapped
    n = symMoveOther(n, f, by: 1, typed: !ro, grant: bug != .grantShareNotMoved)
    n.pt.grantRead = s.pt.grantRead.set(d, f, kTrue)
    n.pt.grantWrite = s.pt.grantWrite.set(d, f, kTrue, when: !ro)
    n.pt.grantKey = s.pt.grantKey.set(d, f, k)  // this mapping's entry is the permission's witness
    n.pt.grantWKey = s.pt.grantWKey.set(d, f, k, when: !ro)
    // the mapping object m (a fresh handle of the caller's) joins its entry's and its frame's
    // enumerations
    if bug != .mappingNotEnrolled { n = symEnrollMapping(n, m, key: k, frame: f, readOnly: ro) }
    return (r, n)
  }
}

/// `grantUnmap(caller:handle:)` in the L1 model, of a mapping of entry `k` (read-only `ro`).
///
/// Conditions, in the Spec's order: live caller (ESRCH); the handle exists (ENOENT), assumed as
/// in `symGrantUnmap`, with what this model adds of an existing mapping: one of the frame's ext
/// references is its (a typed one if writable), and the caller may map the frame (writable too if
/// the mapping is); `Rule.grantOutlivesItsUsers` (EBUSY) at each slot of `busyAt`: a present entry
/// of one of the caller's L1s in use (owned by it, type l1, count > 0) that maps the frame needs
/// another mapping of the frame, and, if the entry is R/W and the mapping writable, another
/// writable one. The Spec checks every such entry (`l1References`); checking some refuses less,
/// so the step over-approximates the Spec's.
///
/// `others`: whether the caller holds another mapping of the frame (any; a writable one). The
/// Spec's `others` are mappings, which this model counts per grant entry (`gMapCount`, granted to
/// one grantee): "another mapping" is the entry `otherKey` (a free choice) being in use, granted
/// to the caller, naming the frame and still mapped after this unmap; it becomes the permission's
/// witness (`pt.grantKey`). Likewise a writable one: the entry `otherWKey` with a writable mapping
/// left (`gWMapCount`), the write permission's witness (`pt.grantWKey`); a read-only unmap
/// leaves the writable mappings, so the write permission, as they were. For every run of the
/// Spec *some* choice (remaining mappings' entries) gives its `others`; other choices may drop a
/// permission while a mapping lives, an over-approximation the proofs cover too. The choices
/// are consistent: a writable mapping left is a mapping left.
/// Then `releaseGrantMapping` (`symGrantUnmap`: putPageType if writable, of a `writable` frame, so
/// no un-validation; putPage; the entry's count), and in the ghost: one ext reference less (typed
/// too if writable), and the caller's permissions on the frame are those of the mappings left.
func symGrantUnmapL1(
  caller d: BV, key k: BV, readOnly ro: Z3Bool, otherKey x: BV, otherWritableKey y: BV, busyAt slots: [(BV, BV)],
  mapping m: BV = mappingId, checksHandle: Bool = false, bug: GrantPTBug = .none
) -> SymTransition {
  { s in
    let release: ReleaseBug = bug == .doubleUnmap ? .doubleUnmap : bug == .readOnlyPutsType ? .readOnlyPutsType : .none
    var (r, n) = symGrantUnmap(caller: d, key: k, readOnly: ro, bug: release)(s)
    let f = s.gFrame[k]
    let witnessed = flag(n.gInUse[x]) && n.gGrantee[x] .== d && n.gFrame[x] .== f && n.gMapCount[x] .!= 0
    let witnessedW = flag(n.gInUse[y]) && n.gGrantee[y] .== d && n.gFrame[y] .== f && n.gWMapCount[y] .!= 0
    let othersWrite = Z3Bool.ite(ro, flag(s.pt.grantWrite[d, f]), witnessedW)
    let others = (read: bug == .othersUnwitnessed ? Z3Bool("othersRead") : witnessed, write: othersWrite)
    if bug != .doubleUnmap {  // guard let m = s.grantMappings[d]?[handle] else { throw .ENOENT }
      // the caller's mapping m is live, of entry k, read-only iff ro (the handle lookup, on the
      // mapping objects); what the Spec knows of it follows (`grantUnmap_handleFacts`) but the
      // type and permission facts below, which stay assumed
      // (`checksHandle` false: the check left out, fewer refusals, an over-approximation the
      // goals that do not read mappings prove faster)
      if checksHandle { r.guard(symMappingIs(s, m, holder: d, key: k, readOnly: ro), DecisionErrno.ENOENT) }
      r.assume(s.pt.cr3.grantRefs[f] .!= 0 && (ro || s.pt.cr3.grantTyped[f] .!= 0))
      // so f's ext counts are ≥ 1 (also `grantUnmap_handleFacts`)
      for fact in mappingReferences(s, f, readOnly: ro) { r.assume(fact) }
      r.assume(flag(s.pt.grantRead[d, f]) && (ro || flag(s.pt.grantWrite[d, f])))
    }
    r.assume(others.write.implies(others.read))  // consistent choices
    // let uses = s.l1References(from: d, to: m.frame), at slot (t, i)
    func uses(_ t: BV, _ i: BV) -> Z3Bool {
      t .< s.frameCount && s.owner[t] .== d && s.type[t] .== DecisionPageType.l1 && s.typeCount[t] .> 0
        && i .< 512 && SymPTE.isPresent(s.pt.pte[t, i]) && ptTarget(s, t, i) .== f
    }
    // if uses.all > 0 && others.isEmpty { throw .EBUSY }
    if bug != .noBusyCheck {
      for (t, i) in slots { r.throwIf(uses(t, i) && !others.read, DecisionErrno.EBUSY) }
    }
    // if uses.writable > 0 && !m.readOnly && !others.values.contains(where: { !$0.readOnly }) { throw .EBUSY }
    if bug != .noWritableBusyCheck {
      for (t, i) in slots {
        r.throwIf(uses(t, i) && SymPTE.isWritable(s.pt.pte[t, i]) && !ro && !others.write, DecisionErrno.EBUSY)
      }
    }
    // ghost: s.grantMappings[d]![handle] = nil
    n = symMoveOther(n, f, by: -1, typed: !ro, grant: bug != .grantShareNotMoved)
    n.pt.grantRead = s.pt.grantRead.set(d, f, word(others.read))
    n.pt.grantWrite = s.pt.grantWrite.set(d, f, word(others.write))
    if bug != .othersUnwitnessed { n.pt.grantKey = s.pt.grantKey.set(d, f, x) }
    n.pt.grantWKey = s.pt.grantWKey.set(d, f, y, when: !ro)
    if bug != .mappingNotRetired { n = symRetireMapping(n, m, key: k, frame: f, readOnly: ro) }
    return (r, n)
  }
}

/// `decreaseReservation(caller:frames:)` of one frame, in the L1 model. Conditions, in the Spec's
/// order: live caller (ESRCH); (one frame is never listed twice); checkOwned (EPERM / EINVAL);
/// `Rule.freeOnlyUnreferenced`: no reference, type or pin (EBUSY). Its other clause (no grant
/// entry of the caller names the frame: ∃ over entries) is left out, fewer checks, an
/// over-approximation: what keeps these invariants is the references. Then `scrubAndFree`: the
/// contents scrubbed (every entry 0) and the frame's record reset to free; allocation - 1 (the
/// allocation enumeration, which these invariants do not read, is `symDecreaseReservation`'s).
func symDecreaseReservationL1(caller d: BV, frame f: BV, bug: GrantPTBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    symCheckOwned(&r, s, f, by: d)
    if bug != .freesReferencedFrame {
      r.throwIf(s.refCount[f] .!= 0 || s.typeCount[f] .!= 0 || flag(s.pinned[f]), DecisionErrno.EBUSY)
    }
    var n = symScrubAndFree(s, f)
    let old = s.pt.pte
    if bug != .noScrub { n.pt.pte = Field2 { t, j in BV.ite(t .== f, kFalse, old[t, j]) } }  // contents[mfn] = nil
    n.allocation = s.allocation.set(d, s.allocation[d] &- 1)
    return (r, n)
  }
}

// MARK: steps (the choices, named for counterexamples)

func mapStep(_ bug: GrantPTBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), k = BV("grantKey"), ro = Z3Bool("readOnly")
    var step = PTStep(
      transition: symGrantMapL1(caller: d, key: k, readOnly: ro, bug: bug),
      // a live caller; grantConsistency at the entry: one in use names an existing frame (the
      // frame typed `writable` here exists, as typeSafety says of a typed frame)
      // (and the mapping is a fresh handle of the caller's: no mapping object yet)
      hypotheses: { s in
        let p = s.pt
        // (frameOwnership's domain part at the granter: a live one has a 16-bit id, so the key is
        // below 2^48, no `cr3None`)
        let g = SymState.granter(ofKey: k)
        return [d .< 0x1_0000, flag(s.gInUse[k]).implies(s.gFrame[k] .< s.frameCount), (mappingId >> 32) .== d]
          + [flag(s.alive[g]).implies(g .< 0x1_0000)]
          + [p.mapKeyR, p.mapKeyW, p.mapFrameR, p.mapFrameW].map { $0.target[mappingId] .== cr3None }
      },
      slots: [], frames: { s in [s.gFrame[k]] },
      witnesses: [.word("caller", d), .word("grantKey", k), .flag("readOnly", ro)])
    step.claimFrames = { s in [s.gFrame[k]] }
    return step
  }
}

/// `busyAt`: the slots where the EBUSY check is stated (the isolation goal's claimed slot; the
/// other goals need none: fewer checks, still an over-approximation).
/// `mappingFacts`: the handle check on the mapping objects, and mappingLive at the handle's
/// mapping assumed (proved); only the mapping goals read them, and every other goal is cheaper
/// without them.
func unmapStep(_ bug: GrantPTBug = .none, busyAt: [(BV, BV)] = [], mappingFacts: Bool = false) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), k = BV("grantKey"), ro = Z3Bool("readOnly")
    let x = BV("otherKey"), y = BV("otherWritableKey")
    var step = PTStep(
      transition: symGrantUnmapL1(
        caller: d, key: k, readOnly: ro, otherKey: x, otherWritableKey: y, busyAt: busyAt, checksHandle: mappingFacts, bug: bug),
      hypotheses: { s in [d .< 0x1_0000] + (mappingFacts ? [mappingLiveAt(s, mappingId)] : []) },
      slots: [], frames: { s in [s.gFrame[k]] },
      witnesses: [
        .word("caller", d), .word("grantKey", k), .flag("readOnly", ro), .word("otherKey", x), .word("otherWritableKey", y),
      ])
    step.claimFrames = { s in [s.gFrame[k]] }
    return step
  }
}

/// domainDestroy's step 2, one of the target's grant mappings released (releaseGrantMapping, no
/// EBUSY check), in the state its step 1 leaves (the `released` marker of the target, the caller
/// here, DestroyPTObligations.swift): grantUnmap's step from the marked state.
private func destroyReleaseGrantStep(_ bug: GrantPTBug = .none, mappingFacts: Bool = false) -> @Sendable () -> PTStep {
  {
    var step = unmapStep(bug, mappingFacts: mappingFacts)()
    step.initial = { s in
      var m = s
      m.pt.released = (BV("caller"), nil)
      return m
    }
    return step
  }
}

private func populateStep(_ bug: GrantPTBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), f = BV("frame")
    return PTStep(
      transition: symPopulatePhysmap(caller: d, chosen: f, checkFree: bug != .takesNonFreeFrame),
      // frameOwnership at the frame: a free one is untyped, so no L1
      hypotheses: { s in [d .< 0x1_0000, ownershipAtFrame(s, f)] },
      slots: [], frames: { _ in [f] }, witnesses: [.word("caller", d), .word("frame", f)])
  }
}

private func decreaseStep(_ bug: GrantPTBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), f = BV("frame")
    var step = PTStep(
      transition: symDecreaseReservationL1(caller: d, frame: f, bug: bug),
      hypotheses: { _ in [d .< 0x1_0000] },
      slots: [], frames: { _ in [f] }, witnesses: [.word("caller", d), .word("frame", f)])
    step.claimFrames = { _ in [f] }
    return step
  }
}

// MARK: obligations

/// `<op>_<inv>` for these steps, point-wise, by cases on the part of the claim: at each frame the
/// step changes (`claimFrames`), at any other frame (a fresh one: its updates' `if id == k` are
/// decided by the hypothesis that it is none of them), at a fresh slot, at a fresh enumeration
/// position; parts the invariant does not have (`true`) are skipped. Each case assumes the
/// invariants `parts` before the step only at its own points: the step's frames and the claimed
/// frame, or the claimed slot with its table and target, or the claimed position; with the count
/// bounds at those frames. None of these steps moves a slot between enumerations or changes an
/// entry of a live table, so no other point is needed (`ptGroundGoal`'s closure, the positions and
/// slots an entry update reaches, costs these goals several times the work). Fewer hypotheses
/// than the ∀ invariants: a proof.
private func grantPTGoal(_ inv: PTInvariant, _ step: PTStep, assuming parts: [PTInvariant]) -> Goal {
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let cf = BV("claim.frame"), (ct, ci) = claimedSlot, ck = BV("claim.position")
  let touched = step.claimFrames(s)
  let common = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions
  func instances(at frames: [BV], slot: Bool = false, position: Bool = false) -> [Z3Bool] {
    var h: [Z3Bool] = []
    for p in parts {
      h += frames.map { p.atFrame(s, $0) } + (slot ? [p.atSlot(s, ct, ci)] : []) + (position ? [p.atPosition(s, cf, ck)] : [])
    }
    for f in frames {
      for c in [s.pt.l1Refs[f], s.pt.wRefs[f], s.pt.extRefs[f], s.pt.extTyped[f]] { h.append(c .< (1 << 58)) }
    }
    return h
  }
  let frames = step.frames(s)
  let cases: [(claim: Z3Bool, hypotheses: [Z3Bool])] =
    touched.map { (inv.atFrame(next, $0), instances(at: frames)) }
    + [
      (inv.atFrame(next, cf), instances(at: frames + [cf]) + touched.map { cf .!= $0 }),
      (inv.atSlot(next, ct, ci), instances(at: frames + [ct, ptTarget(s, ct, ci)], slot: true)),
      (inv.atPosition(next, cf, ck), instances(at: frames + [cf], position: true)),
    ]
  let witnesses = step.witnesses + [.word("claim.frame", cf), .word("claim.table", ct), .word("claim.index", ci)]
  return .byCases(
    cases.filter { $0.claim.constant != true }.map { c in
      Goal(claim: c.claim, hypotheses: common + c.hypotheses, witnesses: witnesses, logic: "QF_UFBV")
    })
}

/// `<op>_<inv>` with its mutants (weakened steps, refuted in the small state of `ptMutantGoal`),
/// or, with none, `noInductionHypothesis` (`inv` not assumed before the step).
private func grantPTObligation(
  _ op: String, _ inv: PTInvariant, assuming parts: [PTInvariant], step: @escaping @Sendable () -> PTStep,
  mutants: [(String, @Sendable () -> PTStep)] = []
) -> Obligation {
  Obligation("\(op)_\(inv.name)", mutants: ptMutants(inv, step: step, mutants)) { grantPTGoal(inv, step(), assuming: parts) }
}

let grantPageTableObligations: [Obligation] = {
  let rc = referenceCountsEquationsPT, ri = referenceIndexPT, rs = referenceSlotsPT, ts = typeSafetyPT, iso = isolationPT
  let tsL1 = typeSafetyL1PT
  return [
    // grantMap: one more ext reference; a writable mapping types the frame, never a page table
    // (typeSafety at the frame: untyped at count 0), so no live slot dies; permissions only grow
    grantPTObligation("grantMap", rc, assuming: [rc], step: mapStep()),
    grantPTObligation("grantMap", ri, assuming: [ri], step: mapStep()),
    grantPTObligation("grantMap", rs, assuming: [rs, ts], step: mapStep(), mutants: [("noTypeCheck", mapStep(.noTypeCheck))]),
    grantPTObligation("grantMap", tsL1, assuming: [ts, rc], step: mapStep(), mutants: [("noTypeCheck", mapStep(.noTypeCheck))]),
    grantPTObligation("grantMap", iso, assuming: [iso], step: mapStep()),
    // grantUnmap: one ext reference less; a writable mapping's frame is `writable`, no table, and
    // at type count 0 no R/W slot maps it (the equation at the frame, the claimed slot's position)
    // (a read-only mapping putting a type: the equation breaks)
    grantPTObligation(
      "grantUnmap", rc, assuming: [rc], step: unmapStep(), mutants: [("readOnlyPutsType", unmapStep(.readOnlyPutsType))]),
    grantPTObligation("grantUnmap", ri, assuming: [ri], step: unmapStep()),
    // a read-only mapping of an L1 putting its type: the table dies with its slots still counted
    grantPTObligation(
      "grantUnmap", rs, assuming: [rs], step: unmapStep(), mutants: [("readOnlyPutsType", unmapStep(.readOnlyPutsType))]),
    // a mapping that is not there dropping the typed reference of a live R/W entry
    grantPTObligation(
      "grantUnmap", tsL1, assuming: [ts, rc, ri], step: unmapStep(), mutants: [("doubleUnmap", unmapStep(.doubleUnmap))]),
    // its EBUSY checks keep the permissions live entries use (typeSafety: a live L1 is in use, as
    // the check reads it). Mutants: a live entry of the caller maps the frame by this mapping
    // alone; a writable entry by this writable mapping, with only read-only ones left
    grantPTObligation(
      "grantUnmap", iso, assuming: [iso, ts], step: unmapStep(busyAt: [claimedSlot]),
      mutants: [
        ("noBusyCheck", unmapStep(.noBusyCheck, busyAt: [claimedSlot])),
        ("noWritableBusyCheck", unmapStep(.noWritableBusyCheck, busyAt: [claimedSlot])),
      ]),
    // the CR3 counting: a mapping's references are ext ones and no CR3's
    cr3CountedObligation("grantMap", step: mapStep()),
    cr3CountedObligation("grantUnmap", step: unmapStep()),
    cr3CountedObligation("domainDestroyReleaseGrant", step: destroyReleaseGrantStep()),
    countedObligation("domainDestroyReleaseGrant", step: destroyReleaseGrantStep()),
    // domainDestroy's grant mappings released after its L1 entries (the marked state): the
    // same counting steps as grantUnmap's
    grantPTObligation(
      "domainDestroyReleaseGrant", rc, assuming: [rc], step: destroyReleaseGrantStep(),
      mutants: [("readOnlyPutsType", destroyReleaseGrantStep(.readOnlyPutsType))]),
    grantPTObligation("domainDestroyReleaseGrant", ri, assuming: [ri], step: destroyReleaseGrantStep()),
    grantPTObligation(
      "domainDestroyReleaseGrant", rs, assuming: [rs], step: destroyReleaseGrantStep(),
      mutants: [("readOnlyPutsType", destroyReleaseGrantStep(.readOnlyPutsType))]),
    grantPTObligation(
      "domainDestroyReleaseGrant", tsL1, assuming: [ts, rc, ri], step: destroyReleaseGrantStep(),
      mutants: [("doubleUnmap", destroyReleaseGrantStep(.doubleUnmap))]),
    // populatePhysmap: a non-free frame (another domain's L1) changing owner under its entries
    grantPTObligation(
      "populatePhysmap", iso, assuming: [iso], step: populateStep(), mutants: [("takesNonFreeFrame", populateStep(.takesNonFreeFrame))]),
    // decreaseReservation: a frame still referenced (by a live entry, or an L1 in use) freed; no
    // live slot maps a frame without references (the equation at it, the claimed slot's position)
    grantPTObligation(
      "decreaseReservation", rc, assuming: [rc], step: decreaseStep(),
      mutants: [("freesReferencedFrame", decreaseStep(.freesReferencedFrame))]),
    grantPTObligation("decreaseReservation", ri, assuming: [ri], step: decreaseStep()),
    // a freed frame is scrubbed (frameOwnership's contents clause, established here)
    scrubbedObligation("decreaseReservation", step: decreaseStep(), mutant: ("noScrub", decreaseStep(.noScrub))),
    // domainConsistency's CR3 part: a root is a typed L4 its domain owns, so none of these steps
    // can take it (populate takes a free frame, decrease an untyped one) or retype it
    cr3RootsObligation("populatePhysmap", step: populateStep(), mutants: [("takesNonFreeFrame", populateStep(.takesNonFreeFrame))]),
    cr3RootsObligation("decreaseReservation", step: decreaseStep(), mutants: [("freesReferencedFrame", decreaseStep(.freesReferencedFrame))]),
    cr3RootsObligation("grantMap", step: mapStep(), mutants: [("noTypeCheck", mapStep(.noTypeCheck))]),
    cr3RootsObligation("grantUnmap", step: unmapStep()),
    grantPTObligation(
      "decreaseReservation", rs, assuming: [rs, ts], step: decreaseStep(),
      mutants: [("freesReferencedFrame", decreaseStep(.freesReferencedFrame))]),
    grantPTObligation(
      "decreaseReservation", tsL1, assuming: [ts], step: decreaseStep(),
      mutants: [("freesReferencedFrame", decreaseStep(.freesReferencedFrame))]),
    grantPTObligation(
      "decreaseReservation", iso, assuming: [iso, rc, ri], step: decreaseStep(),
      mutants: [("freesReferencedFrame", decreaseStep(.freesReferencedFrame))]),
  ]
    // domainDestroy's release of a mapping × the mapping objects (GrantMappingObjects.swift)
    + mappingObligations(
      "domainDestroyReleaseGrant", step: destroyReleaseGrantStep(mappingFacts: true), enrolls: false,
      weak: ("notRetired", destroyReleaseGrantStep(.mappingNotRetired, mappingFacts: true)))
}()
