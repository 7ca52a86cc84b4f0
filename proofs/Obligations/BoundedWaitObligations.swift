// <transition>_boundedWait: the scheduler transitions keep the Spec's `boundedWait`
// (Spec/SchedInvariants.swift) for unboundedly many vCPUs and pCPUs:
//   (1) while a schedulable vCPU is queued, no pCPU is idle and none runs a lower priority;
//   (2) every pCPU has used less than `ticksPerSlice` of its slice, and an idle one none of it.
// Stated at one pCPU p and one vCPU v (`boundedWaitAt`; its ∀ form is both, for all) on the
// run-queue model of RunQueueObligations.swift, whose ground goals and small mutant state these
// reuse, plus the slice counters `sliceUsed[p]`.
//
// Part (1) is what `reschedule()`'s loops establish, so it rests on how they are modelled. The
// run-queue goals step reschedule as its net effect with free choices (each pCPU keeps its vCPU
// or takes a distinct queued schedulable one). The boundedWait goals also constrain the choices
// by the loops' exit, read off the Spec's code (`assumeRescheduleExit`):
//   - `best` is what `candidate(for:)` returns once the loops stop: a queued schedulable vCPU of
//     the highest queued priority, none if none is queued (its FIFO and peer-order tie-breaks
//     choose among equal priorities, which boundedWait does not see);
//   - `low` is a pCPU running the lowest priority (the preemption loop's `min`; an idle pCPU
//     counts lowest, and the Spec takes the min only when none is idle, where the two agree);
//   - exit: `best` is none, or every pCPU is busy and `best` does not outrank `low`'s vCPU.
// That is the negation of both loops' guards. The fill loop stops at the first idle pCPU without
// a candidate (then no pCPU has one, and the preemption loop, which needs every pCPU busy, does
// not run); otherwise every pCPU is busy after it and stays busy (a preemption vacates and
// refills the same pCPU) until `guard let c = candidate(for: p), prio(c) > prio(running[p])`
// fails for the lowest p. `rescheduleExit_boundedWait` proves this exit is exactly part (1)
// (each implies the other). The transitions' goals derive (1) from the exit; they do not assume
// (1) of the post-state.
//
// Why assuming the exit is sound (the Spec's own run is one of the modelled choices, so the
// goals are neither stronger than the Spec nor vacuous):
//   a. evict is modelled exactly (a parallel update: the Spec's first loop);
//   b. the state the fill and preemption loops start from is the net effect in which no pCPU
//      takes anything, which the run-queue goals cover: onePerPCPU and onlyRunnableRun hold
//      there; so does part (2), as the slice checks below do not assume the exit;
//   c. one fill step and one preemption step, taken under the Spec's guards with a
//      maximal-priority candidate, keep onePerPCPU, onlyRunnableRun and part (2), raise the
//      priority running on the pCPU they touch and lower none (idle counting lowest):
//      `rescheduleFill_*`, `reschedulePreempt_*`, proved below;
//   d. hence the loops end (priorities are bounded, pCPUs finite); every fill precedes every
//      preemption; a preempted vCPU never runs again in the same reschedule (it had the lowest
//      running priority, that minimum never falls, and a preemption needs a strictly higher
//      priority); so each pCPU nets to keeping its vCPU or taking one vCPU queued when the loops
//      began, distinct for distinct pCPUs, the displaced ones queued: the net effect (a pCPU
//      that changed vCPU was last dispatched to: a fresh slice, as the net effect has it). And
//      the loops stop exactly when their guards fail: the exit above.
// The steps from (b)-(c) to (d) are argued here, not proved: they compose the proved single
// steps into the loop (Hoare's while rule with (c) as the loop body).
//
// Part (2): tick adds one to each busy pCPU's slice and vacates the pCPU when it reaches
// `ticksPerSlice` (`symTick(slices: true)`: the Spec's arithmetic, not the free expiry the
// run-queue goals use); vacate and dispatch reset it (block, yield, evict, a pCPU that takes a
// vCPU, deschedule). `ticksPerSlice >= 1` is assumed (`SchedulerConfig.isValid`; with 0 no state
// satisfies boundedWait).
//
// The paths without a reschedule (wake of a vCPU that is not blocked, block with an event
// pending, yield of a vCPU that is not running, unpause of a running domain, an event that is
// not deliverable, domainCreate) keep (1) and (2) from the pre-state.

import BulkheadCore
import Z3Kit

/// The priority running on a pCPU whose vCPU is `v`: IDLE when `v` is none.
func symRank(_ s: SymState, _ v: BV) -> BV {
  BV.ite(v .== schedNone, BV(constant: DecisionPriority.idle), s.priority[v])
}

/// `v` is queued and schedulable: what `candidate(for:)` and `bestQueued()` look at.
func symWaiting(_ s: SymState, _ v: BV) -> Z3Bool { flag(s.sched.queued[v]) && symSchedulable(s, v) }

/// boundedWait (1) at (p, v): if v waits, pCPU p runs a vCPU of at least v's priority.
func waitsAt(_ s: SymState, _ p: BV, _ v: BV) -> Z3Bool {
  let q = s.sched
  return (p .< q.pcpus && symWaiting(s, v)).implies(
    q.running[p] .!= schedNone && s.priority[q.running[p]] .>= s.priority[v])
}

/// boundedWait (2) at p: less than a slice used, none on an idle pCPU.
func sliceAt(_ s: SymState, _ p: BV) -> Z3Bool {
  let q = s.sched
  return (p .< q.pcpus).implies(
    q.sliceUsed[p] .< q.ticksPerSlice && (q.running[p] .== schedNone).implies(q.sliceUsed[p] .== 0))
}

/// `boundedWait` at pCPU p and vCPU v.
func boundedWaitAt(_ s: SymState, _ p: BV, _ v: BV) -> Z3Bool { waitsAt(s, p, v) && sliceAt(s, p) }

// MARK: reschedule's exit

/// `best` and `low` in state `n` (see the file comment): `best` waits or is none, `low` is a
/// pCPU (ground part); no pCPU p runs a lower priority than `low` (at p); no waiting v
/// outranks `best` (at v).
func rescheduleChoiceGround(_ n: SymState) -> Z3Bool {
  let q = n.sched
  return (q.best .!= schedNone).implies(symWaiting(n, q.best)) && q.low .< q.pcpus
}
func rescheduleChoiceAtP(_ n: SymState, _ p: BV, bug: RescheduleBug = .none) -> Z3Bool {
  let q = n.sched
  if bug == .lowNotLowest { return .true }
  return (p .< q.pcpus).implies(symRank(n, q.running[q.low]) .<= symRank(n, q.running[p]))
}
func rescheduleChoiceAtV(_ n: SymState, _ v: BV) -> Z3Bool {
  let q = n.sched
  return symWaiting(n, v).implies(q.best .!= schedNone && n.priority[v] .<= n.priority[q.best])
}

/// The loops' exit at pCPU p, the negation of their guards: no candidate, or p is busy and
/// the candidate does not outrank the lowest running priority.
func rescheduleExitAtP(_ n: SymState, _ p: BV, bug: RescheduleBug = .none) -> Z3Bool {
  let q = n.sched
  let busy = (p .< q.pcpus).implies(q.running[p] .!= schedNone)
  let noPreemption = bug == .fillOnly ? Z3Bool.true : n.priority[q.best] .<= symRank(n, q.running[q.low])
  return (q.best .!= schedNone).implies(busy && noPreemption)
}

/// Constrains reschedule's choices (its post-state `n`) by the loops' exit; only goals that
/// read `Refusals.loopExit*` (boundedWait) assume it.
func assumeRescheduleExit(_ r: inout Refusals, _ n: SymState, bug: RescheduleBug) {
  r.assumeAtLoopExit(
    ground: rescheduleChoiceGround(n),
    atP: { p in rescheduleChoiceAtP(n, p, bug: bug) && rescheduleExitAtP(n, p, bug: bug) },
    atV: { v in rescheduleChoiceAtV(n, v) })
}

// MARK: the loop steps

/// Bugs a loop-step mutant may have.
enum LoopStepBug: Equatable { case none, pickStaysQueued, takesParked, fillsBusyPCPU, stealKeepsHome, dropsPreempted, preemptsEqual }

/// `dispatch(c, on: p)`: c leaves the queue and runs on p, its new home, with a fresh slice.
private func symDispatch(_ s: SymState, _ c: BV, on p: BV, bug: LoopStepBug) -> SymState {
  var n = s
  if bug != .pickStaysQueued { n.sched.queued = s.sched.queued.set(c, kFalse) }
  if bug != .stealKeepsHome { n.sched.processor = s.sched.processor.set(c, p) }
  n.sched.running = s.sched.running.set(p, c)
  n.sched.cpuOf = s.sched.cpuOf.set(c, p)
  n.sched.sliceUsed = s.sched.sliceUsed.set(p, kFalse)
  return n
}

/// The loop's choice of c: it waits (`takesParked`: runnable only), and no waiting vCPU
/// outranks it (`candidate(for:)`).
private func assumeCandidate(_ r: inout Refusals, _ s: SymState, _ c: BV, bug: LoopStepBug) {
  r.assumeGround(bug == .takesParked ? flag(s.sched.queued[c]) && symRunnable(s, c) : symWaiting(s, c))
  r.assumeForAll("loop.v") { v in symWaiting(s, v).implies(s.priority[v] .<= s.priority[c]) }
}

/// One iteration of reschedule's fill loop, from a state between iterations: pCPU `pcpu` is
/// idle and takes c = `candidate(for: pcpu)`, which exists. (The guards are choice
/// constraints: the loop takes the step only where they hold.)
func symFillStep(bug: LoopStepBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    let p = BV("pcpu"), c = BV("vcpu")
    r.assumeGround(p .< s.sched.pcpus)
    if bug != .fillsBusyPCPU { r.assumeGround(s.sched.running[p] .== schedNone) }
    assumeCandidate(&r, s, c, bug: bug)
    return (r, symDispatch(s, c, on: p, bug: bug))
  }
}

/// One iteration of reschedule's preemption loop: every pCPU is busy, `pcpu` runs the lowest
/// priority, c = `candidate(for: pcpu)` outranks it: `vacate(pcpu)` (its vCPU, schedulable,
/// goes to its home queue: pcpu's) and `dispatch(c, on: pcpu)`.
func symPreemptStep(bug: LoopStepBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    let q = s.sched
    let p = BV("pcpu"), c = BV("vcpu")
    let d = q.running[p]
    r.assumeGround(p .< q.pcpus && d .!= schedNone)
    r.assumeForAll("loop.p") { x in
      (x .< q.pcpus).implies(q.running[x] .!= schedNone && s.priority[q.running[x]] .>= s.priority[d])
    }
    assumeCandidate(&r, s, c, bug: bug)
    r.assumeGround(bug == .preemptsEqual ? s.priority[c] .>= s.priority[d] : s.priority[c] .> s.priority[d])
    var v = s  // vacate(p)
    v.sched.running = q.running.set(p, schedNone)
    v.sched.cpuOf = q.cpuOf.set(d, schedNone)
    v.sched.sliceUsed = q.sliceUsed.set(p, kFalse)
    if bug != .dropsPreempted {
      v.sched.queued = q.queued.set(d, BV.ite(symRunnable(s, d), kTrue, q.queued[d]))
    }
    return (r, symDispatch(v, c, on: p, bug: bug))
  }
}

// MARK: goals

private let claimP = BV("claim.pcpu"), claimV = BV("claim.vcpu")

private func sliceConfig(_ s: SymState) -> [Z3Bool] {
  [s.sched.ticksPerSlice .>= 1, s.sched.pcpus .>= 1, s.sched.pcpus .<= 0x1_0000]
}

/// A small-state goal's extra hypotheses: at most two pCPUs (so the ∀ over pCPUs is exactly its
/// instances at 0 and 1) and `inv` at every point of the support.
private func smallHypotheses(_ s: SymState, _ inv: (BV, BV) -> Z3Bool) -> [Z3Bool] {
  let ps = [BV(constant: 0), BV(constant: 1)]
  return [s.sched.pcpus .<= 2] + ps.flatMap { p in smallVCPUs.map { v in inv(p, v) } }
}

private func smallBWWitnesses(_ s: SymState) -> [Witness] {
  smallSchedWitnesses(s) + (0..<3).map { Witness.word("priority\($0)", s.priority[smallVCPUs[$0]]) } + [
    .word("slice0", s.sched.sliceUsed[BV(constant: 0)]), .word("slice1", s.sched.sliceUsed[BV(constant: 1)]),
    .word("ticksPerSlice", s.sched.ticksPerSlice), .word("claim.pcpu", claimP), .word("claim.vcpu", claimV),
  ]
}

/// A transition's goal: boundedWait at a fresh (p, v) after the step, by cases: each part of
/// boundedWait on each branch of the step's `if`s around reschedule (`Refusals.loopPaths`; Z3
/// is several times faster with the branch decided), each from only what it needs (fewer
/// hypotheses, still a proof): where reschedule runs, part (1) from the loop's exit and
/// choices at p and v; where it does not, from (1) at (p, v) before the step; part (2) from
/// (2) at p before the step. `invariants`: (1) also gets the run-queue invariants at p, v and
/// the vCPU running on p (domainCreate needs them: only a live domain's vCPUs run or queue).
/// Part (1) where reschedule runs is a chain of priority comparisons through the net effect's
/// `ite`s (v's ≤ best's ≤ low's ≤ p's), which Z3's SMT core decides 2-4x faster than the
/// QF_UFBV solver's bit-blasting (`Solver.smtCore`); the other cases are faster bit-blasted.
private func bwGroundGoal(_ step: Step, invariants: Bool) -> Goal {
  let s = SymState()
  let (r, next) = step.transition(s)
  let base = step.hypotheses + sliceConfig(s) + [!r.refused]
  var before = [waitsAt(s, claimP, claimV)]
  if invariants {
    for g in runQueuePointInvariants {
      before += [g.atP(s, claimP), g.atV(s, claimV), g.atV(s, s.sched.running[claimP])]
    }
  }
  let exit = r.loopExitAtP.map { $0(claimP) } + r.loopExitAtV.map { $0(claimV) }
  let witnesses = step.witnesses + [.word("claim.pcpu", claimP), .word("claim.vcpu", claimV)]
  func check(_ claim: Z3Bool, _ hyps: [Z3Bool], logic: String = "QF_UFBV") -> Goal {
    Goal(claim: claim, hypotheses: base + hyps, witnesses: witnesses, logic: logic)
  }
  let waits = waitsAt(next, claimP, claimV), slice = sliceAt(next, claimP)
  // The branches: the path to reschedule, and each way off it (the first `when` condition
  // that fails): a partition. Every scheduler step has at most one path to reschedule.
  precondition(r.loopPaths.count <= 1, "one reschedule per step")
  let path = r.loopPaths.first
  let offPath = path.map { p in p.indices.map { i in Array(p[..<i]) + [!p[i]] } } ?? [[]]
  return .byCases(
    (path.map { [check(waits, $0 + exit, logic: Solver.smtCore), check(slice, $0 + [sliceAt(s, claimP)])] } ?? [])
      + offPath.flatMap { off in [check(waits, off + before), check(slice, off + [sliceAt(s, claimP)])] })
}

/// A transition mutant's goal in the small state (RunQueueObligations.swift), with every
/// constraint at the whole support: its counterexamples are genuine.
private func bwMutantGoal(_ step: Step) -> Goal {
  let s = smallSchedState()
  let (r, next) = step.transition(s)
  let ps = [BV(constant: 0), BV(constant: 1)]
  var hyps = schedHypotheses(s, r, step, pcpus: ps, vcpus: smallVCPUs) + step.mutantShape + sliceConfig(s)
  hyps += smallHypotheses(s) { p, v in boundedWaitAt(s, p, v) }
  hyps += r.loopExitGround + ps.flatMap { p in r.loopExitAtP.map { $0(p) } }
    + smallVCPUs.flatMap { v in r.loopExitAtV.map { $0(v) } }
  return Goal(
    claim: boundedWaitAt(next, claimP, claimV), hypotheses: hyps,
    witnesses: step.witnesses + smallBWWitnesses(s), logic: "QF_UFBV")
}

func bwObligation(
  _ op: String, invariants: Bool = false, step: @escaping @Sendable () -> Step, mutant: String,
  _ weak: @escaping @Sendable () -> Step, and more: [(String, @Sendable () -> Step)] = []
) -> Obligation {
  let mutants = ([(mutant, weak)] + more).map { name, weak in Mutant(name) { bwMutantGoal(weak()) } }
  return Obligation("\(op)_boundedWait", mutants: mutants) { bwGroundGoal(step(), invariants: invariants) }
}

/// What a loop step must keep of boundedWait at p: part (2), and progress: the priority
/// running on p does not fall, and rises where the step acts (`pcpu`).
private func loopProgressAt(_ s: SymState, _ n: SymState, _ p: BV) -> Z3Bool {
  let before = symRank(s, s.sched.running[p]), after = symRank(n, n.sched.running[p])
  return sliceAt(n, p) && after .>= before && (p .== BV("pcpu")).implies(after .> before)
}

/// `rescheduleFill_boundedWait` / `reschedulePreempt_boundedWait`: between iterations the
/// run-queue invariants and part (2) hold; one iteration keeps (2) and makes progress.
private func loopStepObligation(
  _ op: String, step: @escaping @Sendable (LoopStepBug) -> SymTransition, mutant: LoopStepBug, _ name: String
) -> Obligation {
  Obligation("\(op)_boundedWait", mutants: [Mutant(name) { loopStepGoal(step(mutant), small: true) }]) {
    loopStepGoal(step(.none), small: false)
  }
}

/// The loop step's goal: unbounded and ground, or in the small state for a mutant. The ground
/// goal needs only the step's guards on its pCPU and candidate (not their ∀ parts) and that
/// the candidate, being queued, has a priority (onlyRunnableRun at it).
private func loopStepGoal(_ transition: @escaping SymTransition, small: Bool) -> Goal {
  let s = small ? smallSchedState() : SymState()
  let (r, next) = transition(s)
  let c = BV("vcpu")
  var hyps = sliceConfig(s)
  if small {
    hyps += schedHypotheses(s, r, Step(transition: transition), pcpus: [BV(constant: 0), BV(constant: 1)], vcpus: smallVCPUs)
    hyps += smallHypotheses(s) { p, _ in sliceAt(s, p) }
  } else {
    hyps += r.groundAssumptions + [sliceAt(s, claimP), onlyRunnableRunAtV(s, c), symVCPUIdAt(s, c)]
  }
  let chosen: [Witness] = [.word("pcpu", BV("pcpu")), .word("vcpu", c)]
  return Goal(
    claim: loopProgressAt(s, next, claimP), hypotheses: hyps,
    witnesses: chosen + (small ? smallBWWitnesses(s) : [.word("claim.pcpu", claimP)]), logic: "QF_UFBV")
}

/// `rescheduleExit_boundedWait`: where `best` and `low` are what the Spec computes, the loops'
/// exit holds exactly when boundedWait (1) does: exit at p and v ⇒ (1) at (p, v), and (1) at
/// (p, best) and (low, best) ⇒ exit at p (p fresh: for all p).
private func exitObligation() -> Obligation {
  Obligation("rescheduleExit_boundedWait", mutants: [Mutant("lowNotLowest") { exitGoal(.lowNotLowest, small: true) }]) {
    exitGoal(.none, small: false)
  }
}

/// The exit's goal (both directions, as two checks); small for a mutant (every constraint at
/// the support too).
private func exitGoal(_ bug: RescheduleBug, small: Bool) -> Goal {
  let s = small ? smallSchedState() : SymState()
  let q = s.sched
  var base = sliceConfig(s) + [rescheduleChoiceGround(s)]
  var ps = [claimP], vs = [claimV]
  if small {
    base += [q.pcpus .<= 2]
    ps += [BV(constant: 0), BV(constant: 1)]
    vs += smallVCPUs
  }
  let witnesses = small ? smallBWWitnesses(s) : [.word("claim.pcpu", claimP), .word("claim.vcpu", claimV)]
  let choices = ps.map { rescheduleChoiceAtP(s, $0, bug: bug) } + vs.map { rescheduleChoiceAtV(s, $0) }
  let stops = Goal(
    claim: waitsAt(s, claimP, claimV),
    hypotheses: base + choices + ps.map { rescheduleExitAtP(s, $0, bug: bug) },
    witnesses: witnesses + [.word("best", q.best), .word("low", q.low)], logic: "QF_UFBV")
  let onlyThen = Goal(
    claim: rescheduleExitAtP(s, claimP, bug: bug),
    hypotheses: base + choices + [waitsAt(s, claimP, q.best), waitsAt(s, q.low, q.best)],
    witnesses: witnesses, logic: "QF_UFBV")
  return .byCases([stops, onlyThen])
}

// MARK: the transitions' steps (as in RunQueueObligations.swift, DomainSchedObligations.swift)

private func bwVCPUStep(_ t: @escaping @Sendable (BV) -> SymTransition) -> @Sendable () -> Step {
  {
    let v = BV("vcpu")
    return Step(transition: t(v), witnesses: [.word("vcpu", v)])
  }
}
private func bwEventStep(_ t: @escaping @Sendable (BV, Z3Bool) -> SymTransition) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), e = Z3Bool("deliverable")
    return Step(transition: t(v, e), witnesses: [.word("vcpu", v), .flag("deliverable", e)])
  }
}
private func bwControlStep(_ t: @escaping @Sendable (BV, BV) -> SymTransition) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), d = BV("target")
    return Step(transition: t(v, d), witnesses: [.word("vcpu", v), .word("target", d)])
  }
}
private func bwCreateStep(_ bug: DomainSchedBug) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), d = BV("target"), n = BV("count")
    return Step(
      transition: symDomainCreateSched(caller: v, domain: d, count: n, bug: bug),
      witnesses: [.word("vcpu", v), .word("target", d), .word("count", n)])
  }
}

let boundedWaitObligations: [Obligation] = {
  let wake = { (b: SchedBug) in bwVCPUStep { symWake(vcpu: $0, bug: b) } }
  let block = { (b: SchedBug) in bwEventStep { symBlock(caller: $0, deliverable: $1, bug: b) } }
  let yield = { (b: SchedBug) in bwVCPUStep { symYield(caller: $0, bug: b) } }
  let event = { (b: SchedBug) in bwEventStep { symEventWake(vcpu: $0, deliverable: $1, bug: b) } }
  let tick = { (b: SchedBug) in { @Sendable in Step(transition: symTick(slices: true, bug: b)) } }
  let account = { (b: SchedBug) in { @Sendable in Step(transition: symAccountAndReschedule(bug: b)) } }
  let pause = { (b: DomainSchedBug) in bwControlStep { symDomainPause(caller: $0, target: $1, bug: b) } }
  let unpause = { (b: DomainSchedBug) in bwControlStep { symDomainUnpause(caller: $0, target: $1, bug: b) } }
  let destroy = { (b: DomainSchedBug) in bwControlStep { symDomainDestroySched(caller: $0, target: $1, bug: b) } }
  let setCap = { (b: DomainSchedBug) in bwControlStep { symSetCapSched(caller: $0, target: $1, bug: b) } }
  let fillOnly = SchedBug.reschedule(.fillOnly)
  let one = onePerPCPUPoint, only = onlyRunnableRunPoint
  let chosen: @Sendable () -> [Witness] = { [.word("pcpu", BV("pcpu")), .word("vcpu", BV("vcpu"))] }
  let fill = { (b: LoopStepBug) in { @Sendable in Step(transition: symFillStep(bug: b), witnesses: chosen()) } }
  // Preemption's "every pCPU is busy" is ∀ over pCPUs: exact in the small state only with <= 2.
  let preempt = { (b: LoopStepBug) in
    { @Sendable in Step(transition: symPreemptStep(bug: b), witnesses: chosen(), mutantShape: [SymState().sched.pcpus .<= 2]) }
  }
  return [
    // reschedule's loop steps and exit (the file comment's (c) and the exit).
    schedObligation("rescheduleFill", one, step: fill(.none), mutant: "pickStaysQueued", fill(.pickStaysQueued)),
    schedObligation("rescheduleFill", only, step: fill(.none), mutant: "takesParked", fill(.takesParked)),
    loopStepObligation("rescheduleFill", step: { symFillStep(bug: $0) }, mutant: .fillsBusyPCPU, "fillsBusyPCPU"),
    schedObligation("reschedulePreempt", one, pcpu: "pcpu", step: preempt(.none), mutant: "stealKeepsHome", preempt(.stealKeepsHome)),
    schedObligation("reschedulePreempt", only, pcpu: "pcpu", step: preempt(.none), mutant: "dropsPreempted", preempt(.dropsPreempted)),
    loopStepObligation("reschedulePreempt", step: { symPreemptStep(bug: $0) }, mutant: .preemptsEqual, "preemptsEqual"),
    exitObligation(),
    // The transitions.
    bwObligation("tick", step: tick(.none), mutant: "expiryOffByOne", tick(.expiryOffByOne), and: [("fillOnly", tick(fillOnly))]),
    bwObligation("account", step: account(.none), mutant: "noReschedule", account(.noReschedule)),
    bwObligation("wake", step: wake(.none), mutant: "noReschedule", wake(.noReschedule), and: [("fillOnly", wake(fillOnly))]),
    bwObligation("block", step: block(.none), mutant: "vacateKeepsSlice", block(.vacateKeepsSlice), and: [("noReschedule", block(.noReschedule))]),
    bwObligation("yield", step: yield(.none), mutant: "noReschedule", yield(.noReschedule)),
    bwObligation("domainCreate", invariants: true, step: bwCreateStep(.none), mutant: "queuesNewVCPUs", bwCreateStep(.queuesNewVCPUs)),
    bwObligation("domainDestroy", step: destroy(.none), mutant: "keepsSlice", destroy(.keepsSlice), and: [("noReschedule", destroy(.noReschedule))]),
    bwObligation("domainPause", step: pause(.none), mutant: "noReschedule", pause(.noReschedule)),
    bwObligation("domainUnpause", step: unpause(.none), mutant: "noReschedule", unpause(.noReschedule)),
    bwObligation("setCap", step: setCap(.none), mutant: "noReschedule", setCap(.noReschedule)),
  ] + ["evtchnSend", "evtchnUnmask", "raiseVirq"].map { op in
    bwObligation(op, step: event(.none), mutant: "noReschedule", event(.noReschedule))
  }
}()
