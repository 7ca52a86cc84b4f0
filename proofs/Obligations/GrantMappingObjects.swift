// Grant mappings as objects (decision 0008, item 4). `<op>_mappingEnumeration`,
// `<op>_mappingCounted` (parts of referenceCounts), `<op>_mappingLive` (part of
// grantConsistency), and `grantUnmap_handleFacts`.
//
// A mapping is the Spec's `grantMappings[d][handle]`; here an object m = d << 32 | handle. While
// it lives it is enumerated twice, Hyperkernel's way (`SymEnumeration`), read-only and writable
// apart: by its grant entry (`pt.mapKeyR` / `mapKeyW`, target the key) and by its frame
// (`pt.mapFrameR` / `mapFrameW`). Then, at x read as a frame and as a key (mappingCounted),
//
//   cr3.grantRefs[x]  == mapFrameR.count[x] + mapFrameW.count[x]    (the grant share of other*)
//   cr3.grantTyped[x] == mapFrameW.count[x]
//   gMapCount[x]      == mapKeyR.count[x] + mapKeyW.count[x]        (the entry's map counts)
//   gWMapCount[x]     == mapKeyW.count[x]
//
// and (mappingLive) a live mapping is read-only or writable, not both, is enumerated by its
// frame exactly when by its entry, and its entry is in use, granted to its holder, and names its
// frame. grantMap enrolls a fresh handle; grantUnmap's handle lookup (ENOENT) is now a check on
// these objects, and the facts the Spec's grantConsistency and referenceCounts give of a live
// mapping follow (`grantUnmap_handleFacts`): the entry is the caller's grant, mapped (and
// writably mapped for a writable mapping, not only so for a read-only one), its frame holds the
// mapping's references. Still assumed of grantUnmap: a writable mapping's frame is typed
// `writable` (the L1 slots' `wRefs ≠ 0 ⇒ writable`, not stated for mappings) and the caller's
// permissions on the frame hold (the permission is a free choice among the mappings left, not a
// count: decision 0008).

import BulkheadCore
import Z3Kit

/// The mapping a grant map creates and a grant unmap names (the caller's handle, symbolic).
let mappingId = BV("mapping")

/// The entry and frame enumerations of a read-only or a writable mapping.
private func mappingPaths(readOnly ro: Bool) -> (key: EnumerationPath, frame: EnumerationPath) {
  if ro { return (\.pt.mapKeyR, \.pt.mapFrameR) }
  return (\.pt.mapKeyW, \.pt.mapFrameW)
}

// MARK: invariants

/// `mappingCounted` at x, read as a frame and as a grant key.
func mappingCountedAt(_ s: SymState, _ x: BV) -> Z3Bool {
  let p = s.pt
  return p.cr3.grantRefs[x] .== p.mapFrameR.count[x] &+ p.mapFrameW.count[x] && p.cr3.grantTyped[x] .== p.mapFrameW.count[x]
    && s.gMapCount[x] .== p.mapKeyR.count[x] &+ p.mapKeyW.count[x] && s.gWMapCount[x] .== p.mapKeyW.count[x]
}

/// `mappingLive` at mapping m.
func mappingLiveAt(_ s: SymState, _ m: BV) -> Z3Bool {
  let p = s.pt
  let (kr, kw) = (p.mapKeyR.target[m], p.mapKeyW.target[m])
  func entry(_ k: BV, _ frame: BV) -> Z3Bool { flag(s.gInUse[k]) && s.gGrantee[k] .== (m >> 32) && s.gFrame[k] .== frame }
  return (kr .== cr3None).iff(p.mapFrameR.target[m] .== cr3None) && (kw .== cr3None).iff(p.mapFrameW.target[m] .== cr3None)
    && (kr .== cr3None || kw .== cr3None)
    && (kr .!= cr3None).implies(entry(kr, p.mapFrameR.target[m]))
    && (kw .!= cr3None).implies(entry(kw, p.mapFrameW.target[m]))
}

/// What a grant mapping on f implies of f's counts (part of `grantUnmap_handleFacts`): one
/// general ext reference (and a typed one if writable), no CR3's.
func mappingReferences(_ s: SymState, _ f: BV, readOnly ro: Z3Bool) -> [Z3Bool] {
  [s.pt.extRefs[f] .!= 0, ro || s.pt.extTyped[f] .!= 0, s.pt.cr3.otherRefs[f] .!= 0, ro || s.pt.cr3.otherTyped[f] .!= 0]
}

/// The handle lookup: m is holder d's live mapping of entry k, read-only iff ro.
func symMappingIs(_ s: SymState, _ m: BV, holder d: BV, key k: BV, readOnly ro: Z3Bool) -> Z3Bool {
  (m >> 32) .== d && k .!= cr3None && Z3Bool.ite(ro, s.pt.mapKeyR.target[m] .== k, s.pt.mapKeyW.target[m] .== k)
}

// MARK: ghost updates

/// m (fresh) joins entry k's and frame f's enumerations of its kind.
func symEnrollMapping(_ s: SymState, _ m: BV, key k: BV, frame f: BV, readOnly ro: Z3Bool) -> SymState {
  var n = s
  for (isRO, c) in [(true, ro), (false, !ro)] {
    let (key, frame) = mappingPaths(readOnly: isRO)
    n = symMoveHolder(n, m, from: k, removing: .false, to: k, adding: c, in: key)
    n = symMoveHolder(n, m, from: f, removing: .false, to: f, adding: c, in: frame)
  }
  return n
}

/// m leaves entry k's and frame f's enumerations of its kind.
func symRetireMapping(_ s: SymState, _ m: BV, key k: BV, frame f: BV, readOnly ro: Z3Bool) -> SymState {
  var n = s
  for (isRO, c) in [(true, ro), (false, !ro)] {
    let (key, frame) = mappingPaths(readOnly: isRO)
    n = symMoveHolder(n, m, from: k, removing: c, to: k, adding: .false, in: key)
    n = symMoveHolder(n, m, from: f, removing: c, to: f, adding: .false, in: frame)
  }
  return n
}

/// A grant step by read-only or writable mapping (cases, each assuming its kind), with its moves:
/// `enrolls` (grantMap) or not (grantUnmap, and domainDestroy's release of a mapping).
func byMappingKind(_ step: PTStep, enrolls: Bool) -> PTStep {
  var whole = step
  let k = BV("grantKey"), ro = Z3Bool("readOnly")
  whole.cases = [true, false].map { isRO in
    var one = step
    let base = step.transition
    one.transition = { s in
      var (r, n) = base(s)
      r.assume(ro.iff(isRO ? .true : .false))
      return (r, n)
    }
    one.holderMoves = { s in
      let (key, frame) = mappingPaths(readOnly: isRO), f = s.gFrame[k]
      return enrolls
        ? [.enroll(mappingId, at: k, in: key), .enroll(mappingId, at: f, in: frame)]
        : [.retire(mappingId, from: k, in: key), .retire(mappingId, from: f, in: frame)]
    }
    return one
  }
  return whole
}

// MARK: goals

/// `<op>_mappingCounted` for an L1-model grant step: at the entry's frame, the entry, and any
/// other point, from the invariant at the same point (and the counts below 2^58).
private func mappingCountedGoal(_ step: PTStep, assume: Bool) -> Goal {
  if !step.cases.isEmpty { return .byCases(step.cases.map { mappingCountedGoal($0, assume: assume) }) }
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let k = BV("grantKey"), x = BV("claim.x"), f = s.gFrame[k]
  let base = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions
  let p = s.pt
  func bounds(_ y: BV) -> [Z3Bool] {
    [p.mapFrameR.count[y], p.mapFrameW.count[y], p.mapKeyR.count[y], p.mapKeyW.count[y]].map { $0 .< (1 << 58) }
  }
  let points = [(f, Z3Bool.true), (k, f .!= k), (x, x .!= f && x .!= k)]
  return .byCases(
    points.map { y, fresh in
      Goal(
        claim: fresh.implies(mappingCountedAt(next, y)), hypotheses: base + bounds(y) + (assume ? [mappingCountedAt(s, y)] : []),
        witnesses: step.witnesses + [.word("claim.x", x)], logic: "QF_UFBV")
    })
}

/// `<op>_mappingLive` for an L1-model grant step: at any mapping, from the invariant there.
private func mappingLiveGoal(_ step: PTStep, assume: Bool) -> Goal {
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let w = BV("claim.mapping")
  let hyps = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions + (assume ? [mappingLiveAt(s, w)] : [])
  return Goal(claim: mappingLiveAt(next, w), hypotheses: hyps, witnesses: step.witnesses + [.word("claim.mapping", w)], logic: "QF_UFBV")
}

/// The three mapping obligations of an L1-model grant step. `weak`: a step that forgets its
/// mapping's moves (refuted by the enumeration and counting goals); mappingLive's mutant is
/// `liveMutant`, or no induction hypothesis.
func mappingObligations(
  _ op: String, step: @escaping @Sendable () -> PTStep, enrolls: Bool, weak: (String, @Sendable () -> PTStep),
  liveMutant: (String, @Sendable () -> PTStep)? = nil
) -> [Obligation] {
  let (name, bad) = weak
  let live: Mutant =
    liveMutant.map { m in Mutant(m.0) { mappingLiveGoal(m.1(), assume: true) } }
    ?? Mutant("noInductionHypothesis") { mappingLiveGoal(step(), assume: false) }
  return [
    Obligation("\(op)_mappingEnumeration", mutants: [Mutant(name) { enumerationGoal(byMappingKind(bad(), enrolls: enrolls)) }]) {
      enumerationGoal(byMappingKind(step(), enrolls: enrolls))
    },
    Obligation("\(op)_mappingCounted", mutants: [Mutant(name) { mappingCountedGoal(byMappingKind(bad(), enrolls: enrolls), assume: true) }]) {
      mappingCountedGoal(byMappingKind(step(), enrolls: enrolls), assume: true)
    },
    Obligation("\(op)_mappingLive", mutants: [live]) { mappingLiveGoal(step(), assume: true) },
  ]
}

/// `<op>_mappingLive` / `<op>_mappingCounted` for a step of the general model that rewrites grant
/// entries or their counts (grantAccess, grantEnd, domainDestroy: each refuses a mapped entry,
/// EBUSY), point-wise: at a mapping, from the invariant there and the counting at its entry
/// (a live mapping's entry is mapped, so not rewritten); at a point, from the invariant there.
/// `withTeardown`: domainDestroy's L1-model teardown is another case of `<op>_mappingCounted`
/// (`destroyMappingCountedGoal`), with a mutant of its own.
func mappingGeneralObligations(
  _ op: String, step: @escaping @Sendable () -> Step, mutant: InductiveMutant, countedMutant: InductiveMutant? = nil,
  withTeardown: Bool = false
) -> [Obligation] {
  // (`countedMutant`: grantEnd writes no map count, so its EBUSY mutant leaves the counting be)
  let counted = pointObligation("\(op)_mappingCounted", step: step, mutant: countedMutant ?? mutant) { st, assume in
    let s = SymState(), x = BV("claim.x"), p = s.pt
    let (r, next) = st.transition(s)
    // (an entry's counts are sums of counts far below 2^64, and its writable count is at most
    // its count, grantWritableCount: so at count 0 both enumerations are empty)
    var hyps = configRanges(s) + st.hypotheses + [!r.refused] + r.assumptions + [grantWritableCountAt(s, x)]
    hyps += [p.mapKeyR.count[x], p.mapKeyW.count[x]].map { $0 .< (1 << 58) }
    if assume { hyps.append(mappingCountedAt(s, x)) }
    let general = Goal(
      claim: mappingCountedAt(next, x), hypotheses: hyps, witnesses: st.witnesses + [.word("claim.x", x)], logic: "QF_UFBV")
    // (the two models of the one Spec step write disjoint parts of the claim: map counts, share)
    return withTeardown ? .byCases([general, destroyMappingCountedGoal()]) : general
  }
  let teardownMutant = Mutant("teardownNoBusyCheck") { destroyMappingCountedGoal(busyCheck: false) }
  return [
    pointObligation("\(op)_mappingLive", step: step, mutant: mutant) { st, assume in
      let s = SymState(), w = BV("claim.mapping")
      let (r, next) = st.transition(s)
      let p = s.pt
      var hyps = configRanges(s) + st.hypotheses + [!r.refused] + r.assumptions
      for (e, k) in [(p.mapKeyR, p.mapKeyR.target[w]), (p.mapKeyW, p.mapKeyW.target[w])] {
        hyps += [e.indexAt(w), mappingCountedAt(s, k), p.mapKeyR.count[k] .< (1 << 58), p.mapKeyW.count[k] .< (1 << 58)]
      }
      if assume { hyps.append(mappingLiveAt(s, w)) }
      return Goal(
        claim: mappingLiveAt(next, w), hypotheses: hyps, witnesses: st.witnesses + [.word("claim.mapping", w)], logic: "QF_UFBV")
    },
    withTeardown ? Obligation(counted.name, mutants: counted.mutants + [teardownMutant], goal: counted.goal) : counted,
  ]
}

/// `domainDestroy_mappingCounted` in the L1 model (the teardown): a freed frame's grant share
/// goes to 0, and no live mapping is of a frame the target owns. A mapping of frame f is
/// enumerated at f (the first position's, if any); its entry is in use and names f (mappingLive),
/// so is the target's grant (grantConsistency: an entry names its granter's frame), mapped
/// (mappingCounted, its entry enumeration): the EBUSY check at that entry refuses.
/// `busyCheck` false: the mutant without the EBUSY check.
func destroyMappingCountedGoal(busyCheck: Bool = true) -> Goal {
  let c = BV("caller"), d = BV("target"), x = BV("claim.x")
  var s = SymState()
  s.pt.released = (d, nil)
  let p = s.pt
  var keys: [BV] = [], hyps: [Z3Bool] = [mappingCountedAt(s, x)]
  for (frame, key) in [(p.mapFrameR, p.mapKeyR), (p.mapFrameW, p.mapKeyW)] {
    let m = frame.slot[x, BV(constant: 0)], k = key.target[m]
    keys.append(k)
    hyps += [frame.slotsAt(x, BV(constant: 0)), mappingLiveAt(s, m), key.indexAt(m), mappingCountedAt(s, k), grantEntryAt(s, k)]
    hyps += [p.mapKeyR.count[k], p.mapKeyW.count[k]].map { $0 .< (1 << 58) }
  }
  let (r, next) = symDomainDestroyL1(caller: c, target: d, releases: false, busyAt: keys, bug: busyCheck ? .none : .noBusyCheck)(s)
  return Goal(
    claim: mappingCountedAt(next, x), hypotheses: configRanges(s) + [!r.refused] + r.assumptions + hyps,
    witnesses: [.word("caller", c), .word("target", d), .word("claim.x", x)], logic: "QF_UFBV")
}

/// `grantUnmap_handleFacts`: what grantUnmap assumes of a live mapping m (holder d, entry k,
/// read-only ro, frame f = gFrame[k]) follows from the invariants at m, k and f: the entry is
/// d's grant, mapped (writably for a writable m; not only writably for a read-only one), the
/// frame holds its references (grant share, so ext and refCount; typed too if writable). The
/// mutant drops the counting at the entry.
private func handleFactsGoal(counted: Bool) -> Goal {
  let s = SymState(), m = mappingId, d = BV("caller"), k = BV("grantKey"), ro = Z3Bool("readOnly")
  let f = s.gFrame[k], p = s.pt
  let (key, frame) = (Z3Bool.ite(ro, p.mapKeyR.indexAt(m), p.mapKeyW.indexAt(m)), Z3Bool.ite(ro, p.mapFrameR.indexAt(m), p.mapFrameW.indexAt(m)))
  var hyps = [symMappingIs(s, m, holder: d, key: k, readOnly: ro), mappingLiveAt(s, m), key, frame, mappingCountedAt(s, f)]
  hyps += [upperCountedAt(s, f), cr3CountedAt(s, f), refCountsAtFrame(s, f)]
  hyps += [p.mapKeyR.count[k], p.mapKeyW.count[k], p.mapFrameR.count[f], p.mapFrameW.count[f], p.upper.count[f], p.pendingPut[f]]
    .map { $0 .< (1 << 58) }
  hyps += [p.cr3.count[f], p.l1Refs[f], p.wRefs[f]].map { $0 .< (1 << 58) }
  if counted { hyps.append(mappingCountedAt(s, k)) }
  let claim = all(
    [
      s.gGrantee[k] .== d, s.gMapCount[k] .!= 0, Z3Bool.ite(ro, s.gWMapCount[k] .< s.gMapCount[k], s.gWMapCount[k] .!= 0),
      s.refCount[f] .!= 0, ro || s.typeCount[f] .!= 0, p.cr3.grantRefs[f] .!= 0, ro || p.cr3.grantTyped[f] .!= 0,
    ] + mappingReferences(s, f, readOnly: ro))
  return Goal(
    claim: claim, hypotheses: hyps, witnesses: [.word("mapping", m), .word("caller", d), .word("grantKey", k), .flag("readOnly", ro)],
    logic: "QF_UFBV")
}

// MARK: obligations

let grantMappingObjectObligations: [Obligation] =
  [
    Obligation("grantUnmap_handleFacts", mutants: [Mutant("notCounted") { handleFactsGoal(counted: false) }]) {
      handleFactsGoal(counted: true)
    },
  ]
  + mappingObligations(
    "grantMap", step: mapStep(), enrolls: true, weak: ("notEnrolled", mapStep(.mappingNotEnrolled)),
    liveMutant: ("mapsUnusedEntry", mapStep(.noInUseCheck)))
  + mappingObligations(
    "grantUnmap", step: unmapStep(mappingFacts: true), enrolls: false,
    weak: ("notRetired", unmapStep(.mappingNotRetired, mappingFacts: true)))
