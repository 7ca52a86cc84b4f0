// `<op>_grantMapping`: the mapping part of the Spec's grantConsistency (every grant mapping
// matches an entry in use of its granter naming the same frame), as the L1 page-table model sees
// mappings: a permission `pt.grantRead[d, f]` (the Spec's grantAllows) has a witness, the entry
// `pt.grantKey[d, f]`, which is in use, granted to d, names f and is mapped (its `gMapCount`,
// the number of its mappings, is not 0).
//
// Why it holds. grantMap sets the permission with the mapped entry as its witness (in use and
// granted to the caller: resolveGrant's checks). An entry is granted to one grantee, so only
// (its grantee, its frame) can have it as a witness: grantUnmap, which lowers that entry's count,
// re-chooses the witness of that pair only, among the entries still mapped
// (`symGrantUnmapL1`'s `otherKey`), or drops the permission. grantAccess and grantEnd refuse an
// entry that is mapped (EBUSY), and domainDestroy refuses while any entry of the target's is
// mapped (EBUSY): no witness is rewritten under a permission.
//
// What it gives: with grantConsistency's entry part at the witness (an entry in use names a
// frame its live granter owns: proved) and frameOwnership's domain part (a live domain has a
// 16-bit id: proved), a permission is on a 16-bit domain's frame (`grantLinkFacts`). That link
// was an assumption of the page-table frameOwnership goals and of domainDestroy's (it is now
// derived there from these proved invariants).

import BulkheadCore
import Z3Kit

/// `grantConsistency`, mapping part, at (d, f): a permission d holds on f has its witness entry
/// (mapped), and a write permission its own (mapped writable).
func grantMappingAt(_ s: SymState, _ d: BV, _ f: BV) -> Z3Bool {
  let k = s.pt.grantKey[d, f], w = s.pt.grantWKey[d, f]
  return flag(s.pt.grantRead[d, f]).implies(
    flag(s.gInUse[k]) && s.gGrantee[k] .== d && s.gFrame[k] .== f && s.gMapCount[k] .!= 0)
    && flag(s.pt.grantWrite[d, f]).implies(
      flag(s.gInUse[w]) && s.gGrantee[w] .== d && s.gFrame[w] .== f && s.gWMapCount[w] .!= 0)
}

/// `grantConsistency`, the writable count at entry k: no more writable mappings than mappings.
func grantWritableCountAt(_ s: SymState, _ k: BV) -> Z3Bool { s.gWMapCount[k] .<= s.gMapCount[k] }

/// The grant link at (d, f) from proved invariants: grantMapping there, grantConsistency's entry
/// part at its witness, and frameOwnership's domain part at the witness's granter. Together:
/// `grantLinkAt` (a permission is on a 16-bit domain's frame), and the witness is a mapped entry
/// of that domain's.
func grantLinkFacts(_ s: SymState, _ d: BV, _ f: BV) -> [Z3Bool] {
  let k = s.pt.grantKey[d, f], g = SymState.granter(ofKey: k)
  return [grantMappingAt(s, d, f), grantEntryAt(s, k), flag(s.alive[g]).implies(g .< 0x1_0000)]
}

/// The grantMapping goal: the claim at a fresh pair (d, f) after the step, from the invariant
/// at the same pair before it (and map counts below 2^62, `countsBounded`). `assume` false:
/// the noInductionHypothesis mutant.
private func grantMappingGoal(
  _ transition: SymTransition, hypotheses: (SymState) -> [Z3Bool], witnesses: [Witness], initial: SymState = SymState(),
  assume: Bool = true
) -> Goal {
  let s = initial
  let (r, next) = transition(s)
  let cd = BV("claim.domain"), cf = BV("claim.frame")
  // (the bounds at the pair's witnesses before and after the step: a new witness is a mapped entry)
  let keys = [s.pt.grantKey[cd, cf], next.pt.grantKey[cd, cf], s.pt.grantWKey[cd, cf], next.pt.grantWKey[cd, cf]]
  // (and the writable count at them, proved: a writably mapped entry is mapped)
  let bounds = keys.flatMap { [s.gMapCount[$0] .< (1 << 62), s.gWMapCount[$0] .< (1 << 62), grantWritableCountAt(s, $0)] }
  var hyps = configRanges(s) + hypotheses(s) + [!r.refused] + r.assumptions + bounds
  if assume { hyps.append(grantMappingAt(s, cd, cf)) }
  return Goal(
    claim: grantMappingAt(next, cd, cf), hypotheses: hyps,
    witnesses: witnesses + [.word("claim.domain", cd), .word("claim.frame", cf)], logic: "QF_UFBV")
}

/// `<op>_grantWritableCount` for a step of the general model, point-wise at an entry.
func grantWritableCountObligation(_ op: String, step: @escaping @Sendable () -> Step, mutant: InductiveMutant) -> Obligation {
  pointObligation("\(op)_grantWritableCount", step: step, mutant: mutant) { st, assume in
    let s = SymState(), x = BV("claim.key")
    let (r, next) = st.transition(s)
    var hyps = configRanges(s) + st.hypotheses + [!r.refused] + r.assumptions
    hyps += [s.gMapCount[x] .< (1 << 62), grantEntryAt(s, x)] + (assume ? [grantWritableCountAt(s, x)] : [])
    return Goal(
      claim: grantWritableCountAt(next, x), hypotheses: hyps, witnesses: st.witnesses + [.word("claim.key", x)],
      logic: "QF_UFBV")
  }
}

/// `<op>_grantMapping` for a step of the general model (`Step`).
func grantMappingObligation(_ op: String, step: @escaping @Sendable () -> Step, mutant: InductiveMutant) -> Obligation {
  pointObligation("\(op)_grantMapping", step: step, mutant: mutant) { st, assume in
    grantMappingGoal(st.transition, hypotheses: { _ in st.hypotheses }, witnesses: st.witnesses, assume: assume)
  }
}

/// `<op>_grantMapping` for a step of the L1 model (`PTStep`), with a weakened step as mutant.
private func grantMappingObligation(
  _ op: String, step: @escaping @Sendable () -> PTStep, mutant: (String, @Sendable () -> PTStep)
) -> Obligation {
  @Sendable func goal(_ st: PTStep) -> Goal {
    grantMappingGoal(st.transition, hypotheses: st.hypotheses, witnesses: st.witnesses, initial: st.initial(SymState()))
  }
  return Obligation("\(op)_grantMapping", mutants: [Mutant(mutant.0) { goal(mutant.1()) }]) { goal(step()) }
}

let grantMappingObligations: [Obligation] = [
  // an entry not in use mapped: a permission whose witness is no entry in use
  grantMappingObligation("grantMap", step: mapStep(), mutant: ("mapsUnusedEntry", mapStep(.noInUseCheck))),
  // the permission kept without a remaining mapping (the model's free "another mapping" boolean)
  grantMappingObligation("grantUnmap", step: unmapStep(), mutant: ("othersUnwitnessed", unmapStep(.othersUnwitnessed))),
]
