// <operation>_<invariant>: every modelled Spec transition preserves every invariant of its
// group, for unbounded symbolic states (see SymbolicState.swift).
//
// Each obligation has one mutant: a weakened transition (a dropped check or a forgotten update)
// when one can break the invariant, otherwise `noInductionHypothesis` (the same goal without
// assuming the invariant beforehand), which shows the claim really depends on it.

import BulkheadCore
import Z3Kit

/// One symbolic step: the transition and its free choices.
struct Step {
  var transition: SymTransition
  var hypotheses: [Z3Bool] = []
  var witnesses: [Witness] = []
  /// Instances of the counting invariants; added only when those are assumed.
  var hints: [Z3Bool] = []
  /// Whether a mutant of this step also assumes the other invariants of the group (needed when
  /// the step reads ghost state that another invariant keeps accurate).
  var mutantAssumesGroup = false
  /// Extra hypotheses for a mutant only, narrowing Z3's counterexample search to the shape the
  /// weakened check breaks (a counterexample under them is a counterexample without them).
  var mutantShape: [Z3Bool] = []
  /// The pre-state a mutant's counterexample is searched in (default: the unbounded one). A
  /// small state (finitely many symbolic objects, the rest at their defaults) is an instance of
  /// the unbounded one, so its counterexamples are counterexamples; Z3 finds them much faster.
  var mutantState: SymState? = nil
}

/// How the mutant of an obligation weakens it.
enum InductiveMutant {
  /// A weakened transition.
  case weakened(String, @Sendable () -> Step)
  /// The invariant is not assumed before the step.
  case noInductionHypothesis
}

/// `group(s) ∧ ¬refused ⇒ inv(step(s))`. Mutants (`forMutant`) assume only `inv` itself (or
/// nothing, for noInductionHypothesis): with every quantified invariant assumed, Z3's model
/// search for the counterexample is much slower, and the weakened check is what is on trial.
func inductiveGoal(
  _ inv: SymInvariant, group: [SymInvariant], assumeInvariant: Bool, forMutant: Bool, groundOnly: Bool = false, _ step: Step
) -> Goal {
  let s = forMutant ? step.mutantState ?? SymState() : SymState()
  let (r, next) = step.transition(s)
  var hyps = configRanges(s) + [countsBounded(s)] + step.hypotheses + [!r.refused] + r.assumptions
  if groundOnly { return Goal(claim: allocationIndexAt(next, claimFrame), hypotheses: configRanges(s) + step.hypotheses + [!r.refused] + step.hints + [frameOwnershipAt(s, claimFrame)], witnesses: step.witnesses + [.word("claimFrame", claimFrame), .word("allocation", s.allocation[BV("caller")]), .word("ownerClaim", s.owner[claimFrame]), .word("indexClaim", s.allocIndex[claimFrame]), .word("indexFrame", s.allocIndex[BV("frame")])]) }
  for g in group where (g.name == inv.name && assumeInvariant) || (g.name != inv.name && (!forMutant || step.mutantAssumesGroup)) {
    hyps.append(g.holds(s))
  }
  let countingAssumed = group.contains { $0.name == allocationIndexInv.name }
    && (assumeInvariant || inv.name != allocationIndexInv.name) && !forMutant
  if countingAssumed { hyps += step.hints }
  if forMutant { hyps += step.mutantShape }
  // allocationIndex is claimed at an arbitrary frame `claimFrame` (∀ in the claim = a free
  // variable in the negated goal), so the hints can name the same frame.
  let claim = inv.name == allocationIndexInv.name ? allocationIndexAt(next, claimFrame) : inv.holds(next)
  return Goal(claim: claim, hypotheses: hyps, witnesses: step.witnesses)
}

/// An obligation on a point form of an invariant (part): `goal(step, assume)` is the claim at a
/// fresh point after the step, with the invariant assumed at that point before it (`assume`) or
/// not; the mutant is a weakened step or the invariant not assumed (`InductiveMutant`).
func pointObligation(
  _ name: String, step: @escaping @Sendable () -> Step, mutant: InductiveMutant,
  goal: @escaping @Sendable (_ step: Step, _ assume: Bool) -> Goal
) -> Obligation {
  let m: Mutant
  switch mutant {
  case .weakened(let label, let weak): m = Mutant(label) { goal(weak(), true) }
  case .noInductionHypothesis: m = Mutant("noInductionHypothesis") { goal(step(), false) }
  }
  return Obligation(name, mutants: [m]) { goal(step(), true) }
}

/// `<op>_grantRange`, point-wise: the range part at an arbitrary x after the step, from its
/// instances at x and at x's granter before it (and, for a new domain's table, the instances of
/// grantConsistency and frameOwnership that say no entry of an unused domain is in use). The ∀
/// form of the same goal does not finish in Z3 (its bit-vector key arithmetic defeats
/// quantifier instantiation); the point form is the same theorem, x being universal.
func grantRangeObligation(_ op: String, step: @escaping @Sendable () -> Step, mutant: InductiveMutant) -> Obligation {
  pointObligation("\(op)_grantRange", step: step, mutant: mutant) { step, assume in
    let s = SymState()
    let (r, next) = step.transition(s)
    let x = BV("claim.x")
    let g = SymState.granter(ofKey: x)
    var hyps = configRanges(s) + step.hypotheses + [!r.refused] + r.assumptions + [s.maxGrantFrames .< (1 << 16)]
    if assume { hyps += [grantRangeAt(s, x), grantRangeAt(s, g)] }
    hyps += [flag(s.gInUse[x]).implies(flag(s.alive[g])), flag(s.alive[g]).implies(flag(s.used[g]))]
    return Goal(claim: grantRangeAt(next, x), hypotheses: hyps, witnesses: step.witnesses + [.word("claim.x", x)])
  }
}

/// The arbitrary frame at which allocationIndex is claimed.
var claimFrame: BV { BV("claim.frame") }

func inductive(
  _ op: String, _ inv: SymInvariant, group: [SymInvariant],
  step: @escaping @Sendable () -> Step, mutant: InductiveMutant
) -> Obligation {
  let m: Mutant
  switch mutant {
  case .weakened(let name, let weak):
    m = Mutant(name) { inductiveGoal(inv, group: group, assumeInvariant: true, forMutant: true, weak()) }
  case .noInductionHypothesis:
    m = Mutant("noInductionHypothesis") {
      inductiveGoal(inv, group: group, assumeInvariant: false, forMutant: true, step())
    }
  }
  let ground = op == "decreaseReservation" && inv.name == allocationIndexInv.name
  return Obligation("\(op)_\(inv.name)", mutants: [m]) {
    // decreaseReservation_allocationIndex: proved for the step WITHOUT its grant check (fewer
    // checks = more behaviours, so this implies the real step), from ground instances only;
    // with the ∀-quantified grant check Z3 does not finish.
    ground
      ? inductiveGoal(inv, group: group, assumeInvariant: true, forMutant: false, groundOnly: true, decrease(checkGrants: false)())
      : inductiveGoal(inv, group: group, assumeInvariant: true, forMutant: false, step())
  }
}

// The choices of each transition, named for counterexamples.

private func populate(checkReservation: Bool = true, checkFree: Bool = true) -> @Sendable () -> Step {
  {
    let d = BV("caller"), f = BV("frame")
    return Step(
      transition: symPopulatePhysmap(caller: d, chosen: f, checkReservation: checkReservation, checkFree: checkFree),
      hypotheses: [d .< 0x1_0000], witnesses: [.word("caller", d), .word("frame", f)])
  }
}

private func decrease(checkGrants: Bool = true, checkOwner: Bool = true, keepsM2P: Bool = false) -> @Sendable () -> Step {
  {
    let d = BV("caller"), f = BV("frame")
    // Proof hints: instances of the counting invariants (assumed for all ids) at the frame being
    // freed and at the last position of the caller's enumeration, which moves into its place.
    // When the invariants are assumed these are implied; a mutant that does not assume them
    // gets no hints (see inductiveGoal).
    let s = SymState()
    let last = s.allocSlot[d, s.allocation[d] &- 1]
    let hints = [
      allocationIndexAt(s, f), allocationIndexAt(s, last),
      allocationSlotsAt(s, d, s.allocation[d] &- 1), allocationSlotsAt(s, d, s.allocIndex[f]),
      allocationIndexAt(s, claimFrame), allocationSlotsAt(s, s.owner[claimFrame], s.allocIndex[claimFrame]),
    ]
    return Step(
      transition: symDecreaseReservation(caller: d, frame: f, checkGrants: checkGrants, checkOwner: checkOwner, keepsM2P: keepsM2P),
      hypotheses: [d .< 0x1_0000], witnesses: [.word("caller", d), .word("frame", f)], hints: hints)
  }
}

private func create(checkRange: Bool = true) -> @Sendable () -> Step {
  {
    let c = BV("caller"), d = BV("domain"), m = BV("maxPages")
    return Step(
      transition: symDomainCreate(caller: c, domain: d, maxPages: m, checkRange: checkRange),
      hypotheses: [c .< 0x1_0000],
      witnesses: [.word("caller", c), .word("domain", d), .word("maxPages", m)])
  }
}

private func machphys(checkOwner: Bool = true) -> @Sendable () -> Step {
  {
    let d = BV("caller"), f = BV("frame")
    return Step(
      transition: symMachphysUpdate(caller: d, frame: f, checkOwner: checkOwner),
      hypotheses: [d .< 0x1_0000], witnesses: [.word("caller", d), .word("frame", f)])
  }
}

private func setupTable(neverShrinks: Bool = true) -> @Sendable () -> Step {
  {
    let d = BV("caller"), n = BV("frames")
    return Step(
      transition: symGrantSetupTable(caller: d, frames: n, neverShrinks: neverShrinks),
      hypotheses: [d .< 0x1_0000], witnesses: [.word("caller", d), .word("frames", n)])
  }
}

private func access(checkOwner: Bool = true, checkRange: Bool = true, checkMapped: Bool = true) -> @Sendable () -> Step {
  {
    let d = BV("caller"), k = BV("grantKey"), g = BV("grantee"), f = BV("frame"), ro = BV("readOnly")
    return Step(
      transition: symGrantAccess(
        caller: d, key: k, grantee: g, frame: f, readOnly: ro, checkOwner: checkOwner, checkRange: checkRange,
        checkMapped: checkMapped),
      hypotheses: [d .< 0x1_0000, g .< 0x1_0000],
      witnesses: [.word("caller", d), .word("grantKey", k), .word("grantee", g), .word("frame", f)])
  }
}

private func end(checkMapped: Bool = true) -> @Sendable () -> Step {
  {
    let d = BV("caller"), k = BV("grantKey")
    return Step(
      transition: symGrantEnd(caller: d, key: k, checkMapped: checkMapped),
      hypotheses: [d .< 0x1_0000], witnesses: [.word("caller", d), .word("grantKey", k)])
  }
}

private func map(drop: GrantMapCheck = .none) -> @Sendable () -> Step {
  {
    let d = BV("caller"), k = BV("grantKey"), ro = Z3Bool("readOnly")
    return Step(
      transition: symGrantMap(caller: d, key: k, readOnly: ro, drop: drop),
      hypotheses: [d .< 0x1_0000],
      witnesses: [.word("caller", d), .word("grantKey", k), .flag("readOnly", ro)])
  }
}

private func unmap(_ bug: ReleaseBug = .none) -> @Sendable () -> Step {
  {
    let d = BV("caller"), k = BV("grantKey"), ro = Z3Bool("readOnly")
    return Step(
      transition: symGrantUnmap(caller: d, key: k, readOnly: ro, bug: bug),
      hypotheses: [d .< 0x1_0000],
      witnesses: [.word("caller", d), .word("grantKey", k), .flag("readOnly", ro)])
  }
}

private func destroy(_ bug: ReleaseBug = .none) -> @Sendable () -> Step {
  {
    let c = BV("caller"), d = BV("target")
    return Step(
      transition: symDomainDestroy(caller: c, target: d, bug: bug),
      hypotheses: [c .< 0x1_0000], witnesses: [.word("caller", c), .word("target", d)])
  }
}

private func tick(clampCredit: Bool = true, park: Bool = true) -> @Sendable () -> Step {
  {
    let s = SymState()
    return Step(transition: symTick(clampCredit: clampCredit, park: park), hypotheses: [onlyRunnableRunInv.holds(s)])
  }
}

private func account(ceiling: Bool = true) -> @Sendable () -> Step {
  { Step(transition: symAccount(ceiling: ceiling), hypotheses: accountChoices(SymState())) }
}

private func setCap(checkRange: Bool = true) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), c = BV("cap")
    return Step(transition: symSetCap(vcpu: v, cap: c, checkRange: checkRange), witnesses: [.word("vcpu", v), .word("cap", c)])
  }
}

let specObligationList: [Obligation] = {
  let mem = memoryInvariants
  let sched = schedulerInvariants
  let counting = countingInvariants
  let fo = frameOwnershipInv, ts = typeSafetyInv, gc = grantConsistencyInv, gr = grantRangeInv
  let ai = allocationIndexInv, asl = allocationSlotsInv
  let cb = creditBoundsInv, cr = capRespectedInv
  return [
    inductive("populatePhysmap", ai, group: counting, step: populate(), mutant: .weakened("takesNonFreeFrame", populate(checkFree: false))),
    inductive("populatePhysmap", asl, group: counting, step: populate(), mutant: .noInductionHypothesis),
    inductive("decreaseReservation", ai, group: counting, step: decrease(), mutant: .noInductionHypothesis),
    inductive("decreaseReservation", asl, group: counting, step: decrease(), mutant: .noInductionHypothesis),
    inductive("domainCreate", ai, group: counting, step: create(), mutant: .noInductionHypothesis),
    inductive("domainCreate", asl, group: counting, step: create(), mutant: .noInductionHypothesis),
    inductive("populatePhysmap", fo, group: mem + [ai, asl], step: populate(), mutant: .weakened("noReservationCheck", populate(checkReservation: false))),
    inductive("populatePhysmap", ts, group: mem, step: populate(), mutant: .noInductionHypothesis),
    inductive("populatePhysmap", gc, group: mem, step: populate(), mutant: .weakened("takesNonFreeFrame", populate(checkFree: false))),
    inductive("decreaseReservation", fo, group: mem + [ai, asl], step: decrease(), mutant: .weakened("noOwnerCheck", decrease(checkOwner: false))),
    inductive("decreaseReservation", ts, group: mem, step: decrease(), mutant: .noInductionHypothesis),
    inductive("decreaseReservation", gc, group: mem, step: decrease(), mutant: .weakened("freesGrantedFrame", decrease(checkGrants: false))),
    inductive("domainCreate", fo, group: mem, step: create(), mutant: .weakened("noMaxPagesCheck", create(checkRange: false))),
    inductive("domainCreate", ts, group: mem, step: create(), mutant: .noInductionHypothesis),
    inductive("domainCreate", gc, group: mem, step: create(), mutant: .noInductionHypothesis),
    inductive("grantAccess", fo, group: mem, step: access(), mutant: .noInductionHypothesis),
    inductive("grantAccess", ts, group: mem, step: access(), mutant: .noInductionHypothesis),
    inductive("grantAccess", gc, group: mem, step: access(), mutant: .weakened("grantsForeignFrame", access(checkOwner: false))),
    inductive("grantEnd", fo, group: mem, step: end(), mutant: .noInductionHypothesis),
    inductive("grantEnd", ts, group: mem, step: end(), mutant: .noInductionHypothesis),
    inductive("grantEnd", gc, group: mem, step: end(), mutant: .weakened("endsMappedGrant", end(checkMapped: false))),
    inductive("grantMap", fo, group: mem, step: map(), mutant: .weakened("noOwnerCheck", map(drop: .ownerCheck))),
    inductive("grantMap", ts, group: mem, step: map(), mutant: .weakened("noTypeCheck", map(drop: .typeCheck))),
    inductive("grantMap", gc, group: mem, step: map(), mutant: .weakened("mapsUnusedEntry", map(drop: .inUseCheck))),
    inductive("grantUnmap", fo, group: mem, step: unmap(), mutant: .weakened("doubleUnmap", unmap(.doubleUnmap))),
    inductive("grantUnmap", ts, group: mem, step: unmap(), mutant: .weakened("readOnlyPutsType", unmap(.readOnlyPutsType))),
    inductive("grantUnmap", gc, group: mem, step: unmap(), mutant: .noInductionHypothesis),
    inductive("domainDestroy", fo, group: mem + [ai, asl], step: destroy(), mutant: .weakened("keepsFrames", destroy(.keepsFrames))),
    inductive("domainDestroy", ts, group: mem, step: destroy(), mutant: .noInductionHypothesis),
    inductive("domainDestroy", gc, group: mem, step: destroy(), mutant: .weakened("keepsGrantTable", destroy(.keepsGrantTable))),
    // The mapping part of grantConsistency (GrantMappingObligations.swift): no witness entry of a
    // grant permission is rewritten (grantAccess, grantEnd: EBUSY while mapped; domainDestroy:
    // EBUSY while any of the target's entries is mapped)
    grantMappingObligation("grantAccess", step: access(), mutant: .weakened("overwritesMappedEntry", access(checkMapped: false))),
    grantMappingObligation("grantEnd", step: end(), mutant: .weakened("endsMappedGrant", end(checkMapped: false))),
    grantMappingObligation("domainCreate", step: create(), mutant: .noInductionHypothesis),
    grantMappingObligation("domainDestroy", step: destroy(), mutant: .weakened("noBusyCheck", destroy(.noBusyCheck))),
    // ... and the grant mapping objects' entries and counts (GrantMappingObjects.swift)
  ]
    + mappingGeneralObligations("grantAccess", step: access(), mutant: .weakened("overwritesMappedEntry", access(checkMapped: false)))
    + mappingGeneralObligations(
      "grantEnd", step: end(), mutant: .weakened("endsMappedGrant", end(checkMapped: false)), countedMutant: .noInductionHypothesis)
    // (with the L1 model's teardown, whose freed frames no mapping maps, as a case)
    + mappingGeneralObligations(
      "domainDestroy", step: destroy(), mutant: .weakened("noBusyCheck", destroy(.noBusyCheck)), withTeardown: true)
    + [
    // ... and the writable count behind the write permissions' witnesses
    grantWritableCountObligation("grantAccess", step: access(), mutant: .noInductionHypothesis),
    grantWritableCountObligation("grantEnd", step: end(), mutant: .noInductionHypothesis),
    grantWritableCountObligation("grantMap", step: map(), mutant: .noInductionHypothesis),
    grantWritableCountObligation("grantUnmap", step: unmap(), mutant: .weakened("doubleUnmap", unmap(.doubleUnmap))),
    grantWritableCountObligation("domainDestroy", step: destroy(), mutant: .noInductionHypothesis),
    // The M2P clause of frameOwnership: only a domain's frames have M2P entries
    m2pOwnershipObligation("mmuUpdate", step: machphys(), mutant: .weakened("noOwnerCheck", machphys(checkOwner: false))),
    m2pOwnershipObligation("populatePhysmap", step: populate(), mutant: .noInductionHypothesis),
    m2pOwnershipObligation("decreaseReservation", step: decrease(), mutant: .weakened("keepsM2P", decrease(keepsM2P: true))),
    m2pOwnershipObligation("domainDestroy", step: destroy(), mutant: .weakened("keepsM2P", destroy(.keepsM2P))),
    // The range part of grantConsistency: entries in use lie within the set-up table.
    grantRangeObligation("grantSetupTable", step: setupTable(), mutant: .weakened("shrinks", setupTable(neverShrinks: false))),
    grantRangeObligation("grantAccess", step: access(), mutant: .weakened("noRangeCheck", access(checkRange: false))),
    grantRangeObligation("grantEnd", step: end(), mutant: .noInductionHypothesis),
    grantRangeObligation("domainCreate", step: create(), mutant: .noInductionHypothesis),
    grantRangeObligation("domainDestroy", step: destroy(), mutant: .noInductionHypothesis),
    inductive("domainDestroy", ai, group: counting, step: destroy(), mutant: .noInductionHypothesis),
    inductive("domainDestroy", asl, group: counting, step: destroy(), mutant: .noInductionHypothesis),
    inductive("tick", cb, group: sched, step: tick(), mutant: .weakened("unclampedCredit", tick(clampCredit: false))),
    inductive("tick", cr, group: sched, step: tick(), mutant: .weakened("neverParks", tick(park: false))),
    inductive("account", cb, group: sched, step: account(), mutant: .weakened("noCreditCeiling", account(ceiling: false))),
    inductive("account", cr, group: sched, step: account(), mutant: .noInductionHypothesis),
    inductive("setCap", cb, group: sched, step: setCap(), mutant: .noInductionHypothesis),
    inductive("setCap", cr, group: sched, step: setCap(), mutant: .weakened("noCapRangeCheck", setCap(checkRange: false))),
  ]
}()

/// `frameOwnership`, M2P clause, at frame f: only a domain's frame has an M2P entry.
func m2pOwnershipAt(_ s: SymState, _ f: BV) -> Z3Bool { flag(s.m2p[f]).implies(s.owner[f] .< 0x1_0000) }

/// `<op>_m2pOwnership`, point-wise: the clause at an arbitrary frame after the step, from it at
/// the same frame before (and frameOwnership's owner encoding there: a free frame is no domain's).
/// Only `MMU_MACHPHYS_UPDATE` writes an entry (checkOwned), only scrubAndFree clears one, and
/// only populatePhysmap gives a free frame (no entry) an owner.
func m2pOwnershipObligation(_ op: String, step: @escaping @Sendable () -> Step, mutant: InductiveMutant) -> Obligation {
  pointObligation("\(op)_m2pOwnership", step: step, mutant: mutant) { st, assume in
    let s = SymState(), f = BV("claim.frame")
    let (r, next) = st.transition(s)
    let hyps = configRanges(s) + st.hypotheses + [!r.refused] + r.assumptions + (assume ? [m2pOwnershipAt(s, f)] : [])
    return Goal(claim: m2pOwnershipAt(next, f), hypotheses: hyps, witnesses: st.witnesses + [.word("claim.frame", f)], logic: "QF_UFBV")
  }
}
