// wake_/block_/yield_/account_ × onePerPCPU, onlyRunnableRun, creditBounds, capRespected: the
// scheduler transitions of Spec/Scheduler.swift keep every vCPU in exactly one place (on one
// pCPU, in the run queue, or nowhere when it may not run), for unboundedly many vCPUs and pCPUs.
// `tick_*` covers the timer tick: slice expiry on any set of pCPUs, then reschedule.
//
// State: `running[p]` for p < pcpus (a vCPU id or `none`), the ghost inverse `cpuOf[v]` (the
// pCPU v runs on, or `none`: the Spec's `pcpu(of:)`), and `queued[v]`. The Spec's run queue is a
// list; its order matters only for `boundedWait` and fairness (not proved here), so the queue is
// a set, and "no vCPU is queued twice" holds by construction. The Spec's per-pCPU queues are
// that set split by each vCPU's home pCPU (`processor[v]`): a queued vCPU is in queue
// `processor[v]`, so "queued on its home" is `processor[v] < pcpus`, and "running at home" is
// `processor[v] == cpuOf[v]`. vCPU v belongs to domain v >> 32.
//
// `reschedule()` is stepped as its net effect, which covers the Spec's three loops:
//   1. evict: every running vCPU that is no longer schedulable leaves its pCPU and is queued if
//      still runnable (a parallel update over all pCPUs, exactly the Spec's first loop);
//   2+3. fill and preempt: each pCPU p either keeps its vCPU or takes `incoming[p]`, a queued
//      schedulable vCPU, distinct for distinct pCPUs (ghost inverse `incomingOf`); a displaced
//      vCPU goes to the queue. The Spec's choices are one instance: its idle-pCPU picks and
//      preemptions take queued schedulable vCPUs and remove them from the queue, and a vCPU
//      preempted in this reschedule never comes back in it (it was the lowest running priority,
//      and running priorities only rise), so a pCPU preempted twice nets to one exchange.
// Which vCPU is picked (priority, FIFO) is left free here. boundedWait needs more: the loops'
// exit condition (no idle pCPU while a schedulable vCPU is queued, none queued outranks the
// lowest running one), which `assumeRescheduleExit` adds as a separate set of choice constraints
// that only the boundedWait goals assume (BoundedWaitObligations.swift, which also proves the
// loop steps). Slices (`sliceUsed[p]`): vacate and dispatch start a fresh one.

import BulkheadCore
import Z3Kit

/// `none` for pCPU and vCPU slots.
let schedNone = BV(constant: ~0)

/// The pCPUs and the run queue, symbolically.
struct SymRunQueue {
  var pcpus = BV("pcpus")
  var running = Field.fresh("sched.running")
  var cpuOf = Field.fresh("sched.cpuOf")
  var queued = Field.fresh("sched.queued")
  /// The home pCPU (Spec `VCPU.processor`): its queue, and its pCPU while running.
  var processor = Field.fresh("sched.processor")
  var blocked = Field.fresh("sched.blocked")
  /// `domains[d]?.state == .running`.
  var domRunning = Field.fresh("sched.domRunning")
  /// reschedule's choices: the vCPU pCPU p takes (or none), and its inverse.
  var incoming = Field.fresh("resched.incoming")
  var incomingOf = Field.fresh("resched.incomingOf")
  /// Ticks the running vCPU has used of its slice, per pCPU (Spec `sliceUsed`).
  var sliceUsed = Field.fresh("sched.sliceUsed")
  /// `SpecConfig.ticksPerSlice` (>= 1 where a goal reads slices: boundedWait needs it).
  var ticksPerSlice = BV("ticksPerSlice")
  /// reschedule's exit (`assumeRescheduleExit`): the vCPU `candidate(for:)` would return after
  /// the last step (or none), and a pCPU running the lowest priority (idle counting lowest).
  var best = BV("resched.best")
  var low = BV("resched.low")
}

func vcpuDomain(_ v: BV) -> BV { v >> 32 }

/// `isRunnable(v)`: exists, its domain is running, not blocked.
func symRunnable(_ s: SymState, _ v: BV) -> Z3Bool {
  flag(s.vcpuExists[v]) && flag(s.sched.domRunning[vcpuDomain(v)]) && !flag(s.sched.blocked[v])
}

/// `isSchedulable(v)`: runnable and not parked.
func symSchedulable(_ s: SymState, _ v: BV) -> Z3Bool { symRunnable(s, v) && !flag(s.parked[v]) }

/// v is on pCPU `cpuOf[v]` (the ghost's claim, checked against `running`).
func symOnCPU(_ s: SymState, _ v: BV) -> Z3Bool {
  s.sched.cpuOf[v] .!= schedNone && s.sched.running[s.sched.cpuOf[v]] .== v
}

// MARK: invariants

/// vCPU ids are `VCPUID(domain: 16 bits, index: 32 bits)`, below 2^48, so never `none`.
func symVCPUIdAt(_ s: SymState, _ v: BV) -> Z3Bool { flag(s.vcpuExists[v]).implies(v .< (1 << 48)) }

/// `onePerPCPU` at pCPU p and at vCPU v: running[] is injective (cpuOf inverts it), no vCPU is
/// both running and queued, a running vCPU runs at home, and every vCPU's home (so the queue a
/// queued one is on) is a pCPU that exists. (Not queued twice: the queue is a set.)
func onePerPCPUAtP(_ s: SymState, _ p: BV) -> Z3Bool {
  let q = s.sched
  return (p .< q.pcpus && q.running[p] .!= schedNone).implies(q.cpuOf[q.running[p]] .== p)
}
func onePerPCPUAtV(_ s: SymState, _ v: BV) -> Z3Bool {
  let q = s.sched
  return (q.cpuOf[v] .!= schedNone).implies(
    v .!= schedNone && q.cpuOf[v] .< q.pcpus && q.running[q.cpuOf[v]] .== v && !flag(q.queued[v])
      && q.processor[v] .== q.cpuOf[v])
    && (flag(q.queued[v]) || flag(s.vcpuExists[v])).implies(q.processor[v] .< q.pcpus)
}

/// `onlyRunnableRun` at pCPU p and at vCPU v: running vCPUs are schedulable; queued ones
/// runnable; every runnable vCPU is running (on pCPU cpuOf[v]) or queued; none has IDLE priority.
func onlyRunnableRunAtP(_ s: SymState, _ p: BV) -> Z3Bool {
  let q = s.sched
  return (p .< q.pcpus && q.running[p] .!= schedNone).implies(symSchedulable(s, q.running[p]))
}
func onlyRunnableRunAtV(_ s: SymState, _ v: BV) -> Z3Bool {
  let q = s.sched
  return flag(q.queued[v]).implies(symRunnable(s, v))
    && symRunnable(s, v).implies(symOnCPU(s, v) || flag(q.queued[v]))
    && flag(s.vcpuExists[v]).implies(s.priority[v] .>= DecisionPriority.over && s.priority[v] .<= DecisionPriority.boost)
}

/// A scheduler invariant stated at one pCPU and one vCPU (its ∀ form is both, for all).
struct PointInvariant: Sendable {
  let name: String
  let atP: @Sendable (SymState, BV) -> Z3Bool
  let atV: @Sendable (SymState, BV) -> Z3Bool

  func holds(_ s: SymState) -> Z3Bool {
    let p = BV("inv.p"), v = BV("inv.v")
    return forall([p], atP(s, p)) && forall([v], atV(s, v))
  }
  func at(_ s: SymState, _ x: BV) -> Z3Bool { atP(s, x) && atV(s, x) }
}

let onePerPCPUPoint = PointInvariant(name: "onePerPCPU", atP: onePerPCPUAtP, atV: onePerPCPUAtV)
let onlyRunnableRunPoint = PointInvariant(name: "onlyRunnableRun", atP: onlyRunnableRunAtP, atV: onlyRunnableRunAtV)
/// `domainConsistency`, the vCPU part at v (its domain d = v >> 32): a vCPU exists only in a
/// live domain, a live domain's id is used, and only a live domain runs.
func vcpuDomainsAtV(_ s: SymState, _ v: BV) -> Z3Bool {
  let d = vcpuDomain(v)
  return flag(s.vcpuExists[v]).implies(flag(s.alive[d]))
    && flag(s.alive[d]).implies(flag(s.used[d]))
    && flag(s.sched.domRunning[d]).implies(flag(s.alive[d]))
}
let vcpuDomainsPoint = PointInvariant(name: "domainConsistency", atP: { _, _ in Z3Bool.true }, atV: vcpuDomainsAtV)
let runQueuePointInvariants = [onePerPCPUPoint, onlyRunnableRunPoint, vcpuDomainsPoint]

// MARK: reschedule

/// Bugs a reschedule mutant may have.
enum RescheduleBug: Equatable {
  case none, pickStaysQueued, evictWithoutRequeue, stealKeepsHome
  /// The preemption loop dropped: the exit only says no pCPU is idle while a vCPU waits.
  case fillOnly
  /// The preemption loop's pCPU is any pCPU, not one running the lowest priority.
  case lowNotLowest
}

/// `reschedule()`, as its net effect (see the file comment). Choices: `resched.incoming[p]`.
func symReschedule(_ r: inout Refusals, _ s: SymState, bug: RescheduleBug = .none) -> SymState {
  let q = s.sched
  // 1. evict running vCPUs that may no longer run; requeue the runnable ones.
  let evicted: (BV) -> Z3Bool = { v in symOnCPU(s, v) && !symSchedulable(s, v) }
  var s1 = s
  s1.sched.running = q.running.setWhere({ p in q.running[p] .!= schedNone && !symSchedulable(s, q.running[p]) }) { _ in schedNone }
  s1.sched.cpuOf = q.cpuOf.setWhere(evicted) { _ in schedNone }
  s1.sched.sliceUsed = q.sliceUsed.setWhere({ p in q.running[p] .!= schedNone && !symSchedulable(s, q.running[p]) }) { _ in kFalse }
  if bug != .evictWithoutRequeue {
    s1.sched.queued = q.queued.setWhere({ v in evicted(v) && symRunnable(s, v) }) { _ in kTrue }
  }
  // 2+3. fill idle pCPUs and preempt: pCPU p takes incoming[p] (a queued schedulable vCPU).
  let incoming = q.incoming
  let incomingOf = q.incomingOf
  r.assumeForAll("resched.p") { p in
    (p .< q.pcpus && incoming[p] .!= schedNone).implies(
      flag(s1.sched.queued[incoming[p]]) && symSchedulable(s1, incoming[p]) && incomingOf[incoming[p]] .== p)
  }
  r.assumeForAll("resched.v") { v in
    (incomingOf[v] .!= schedNone).implies(v .!= schedNone && incomingOf[v] .< q.pcpus && incoming[incomingOf[v]] .== v)
  }
  let takes: (BV) -> Z3Bool = { p in p .< q.pcpus && incoming[p] .!= schedNone }
  let displaced: (BV) -> Z3Bool = { v in s1.sched.cpuOf[v] .!= schedNone && takes(s1.sched.cpuOf[v]) }
  var n = s1
  n.sched.running = s1.sched.running.setWhere(takes) { p in incoming[p] }
  n.sched.cpuOf = Field { v in
    BV.ite(incomingOf[v] .!= schedNone, incomingOf[v], BV.ite(displaced(v), schedNone, s1.sched.cpuOf[v]))
  }
  n.sched.queued = Field { v in
    let stays = bug == .pickStaysQueued ? flag(s1.sched.queued[v]) : flag(s1.sched.queued[v]) && incomingOf[v] .== schedNone
    return word(stays || displaced(v))
  }
  // dispatch: the pCPU that takes a vCPU becomes its home (a steal moves it).
  if bug != .stealKeepsHome {
    n.sched.processor = Field { v in BV.ite(incomingOf[v] .!= schedNone, incomingOf[v], s1.sched.processor[v]) }
  }
  n.sched.sliceUsed = s1.sched.sliceUsed.setWhere(takes) { _ in kFalse }
  assumeRescheduleExit(&r, n, bug: bug)  // for boundedWait goals only (Refusals.loopExit*)
  return n
}

/// The scheduler fields of `a` where `c`, else of `b` (the Spec's `if c { ... }`).
func iteSched(_ c: Z3Bool, _ a: SymState, _ b: SymState) -> SymState {
  var n = b
  n.sched.running = Field { i in BV.ite(c, a.sched.running[i], b.sched.running[i]) }
  n.sched.cpuOf = Field { i in BV.ite(c, a.sched.cpuOf[i], b.sched.cpuOf[i]) }
  n.sched.queued = Field { i in BV.ite(c, a.sched.queued[i], b.sched.queued[i]) }
  n.sched.processor = Field { i in BV.ite(c, a.sched.processor[i], b.sched.processor[i]) }
  n.sched.sliceUsed = Field { i in BV.ite(c, a.sched.sliceUsed[i], b.sched.sliceUsed[i]) }
  n.sched.blocked = Field { i in BV.ite(c, a.sched.blocked[i], b.sched.blocked[i]) }
  n.priority = Field { i in BV.ite(c, a.priority[i], b.priority[i]) }
  n.credit = Field { i in BV.ite(c, a.credit[i], b.credit[i]) }
  n.capBudget = Field { i in BV.ite(c, a.capBudget[i], b.capBudget[i]) }
  n.parked = Field { i in BV.ite(c, a.parked[i], b.parked[i]) }
  return n
}

// MARK: transitions

/// Checks or updates a scheduler mutant may drop.
enum SchedBug: Equatable {
  case none, noBlockedCheck, queuesUnrunnable, staysQueued, dropsCaller, keepsCPU, expiryDropsVCPU, expiryKeepsCPU
  /// The step's own part without the `reschedule()` after it.
  case noReschedule
  /// `vacate` without `sliceUsed[p] = 0`.
  case vacateKeepsSlice
  /// Slice expiry at `sliceUsed > ticksPerSlice` instead of `>=`.
  case expiryOffByOne
  case reschedule(RescheduleBug)
}

private func rescheduleBug(_ b: SchedBug) -> RescheduleBug {
  if case .reschedule(let r) = b { return r }
  return .none
}

/// `wakeBlocked(v)`: if blocked, unblock, UNDER -> BOOST, queue if runnable, reschedule.
func symWakeBlocked(_ r: inout Refusals, _ s: SymState, _ v: BV, bug: SchedBug = .none) -> SymState {
  let wasBlocked = bug == .noBlockedCheck ? Z3Bool.true : flag(s.sched.blocked[v])
  var w = s
  w.sched.blocked = s.sched.blocked.set(v, kFalse)
  w.priority = s.priority.set(
    v, BV.ite(s.priority[v] .== DecisionPriority.under, BV(constant: DecisionPriority.boost), s.priority[v]))
  let queue = bug == .queuesUnrunnable ? Z3Bool.true : symRunnable(w, v)
  w.sched.queued = s.sched.queued.set(v, BV.ite(queue, kTrue, s.sched.queued[v]))
  if bug == .noReschedule { return iteSched(wasBlocked, w, s) }
  var n = w
  r.when(wasBlocked) { r in n = symReschedule(&r, w, bug: rescheduleBug(bug)) }
  return iteSched(wasBlocked, n, s)
}

/// `wake(v)`.
func symWake(vcpu v: BV, bug: SchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    r.guard(flag(s.vcpuExists[v]), DecisionErrno.ESRCH)
    let n = symWakeBlocked(&r, s, v, bug: bug)  // adds reschedule's choices to r
    return (r, n)
  }
}

/// `callerDomain(v)` for a vCPU: it exists and its domain is alive.
func symCallerVCPU(_ r: inout Refusals, _ s: SymState, _ v: BV) {
  r.guard(flag(s.vcpuExists[v]) && flag(s.alive[vcpuDomain(v)]), DecisionErrno.ESRCH)
}

/// `block(caller:)`. `deliverable` is `hasDeliverableEvent(d)` (any value).
func symBlock(caller v: BV, deliverable: Z3Bool, bug: SchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerVCPU(&r, s, v)
    let acts = !deliverable && !flag(s.sched.blocked[v])
    var b = s
    b.sched.blocked = s.sched.blocked.set(v, kTrue)
    // if let p = s.pcpu(of: caller) { s.running[p] = nil }
    let p = s.sched.cpuOf[v]
    b.sched.running = s.sched.running.setWhere({ i in i .== p && p .!= schedNone }) { _ in schedNone }
    b.sched.cpuOf = s.sched.cpuOf.set(v, schedNone)
    if bug != .vacateKeepsSlice {
      b.sched.sliceUsed = s.sched.sliceUsed.setWhere({ i in i .== p && p .!= schedNone }) { _ in kFalse }
    }
    if bug != .staysQueued { b.sched.queued = s.sched.queued.set(v, kFalse) }  // runQueue.removeAll
    if bug == .noReschedule { return (r, iteSched(acts, b, s)) }
    var n = b
    r.when(acts) { r in n = symReschedule(&r, b, bug: rescheduleBug(bug)) }
    return (r, iteSched(acts, n, s))
  }
}

/// `yield(caller:)`.
func symYield(caller v: BV, bug: SchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerVCPU(&r, s, v)
    let p = s.sched.cpuOf[v]
    let acts = p .!= schedNone  // guard let p = s.pcpu(of: caller) else { return }
    var y = s
    if bug != .keepsCPU {
      y.sched.running = s.sched.running.set(p, schedNone)
      y.sched.cpuOf = s.sched.cpuOf.set(v, schedNone)
    }
    if bug != .vacateKeepsSlice { y.sched.sliceUsed = s.sched.sliceUsed.set(p, kFalse) }
    if bug != .dropsCaller { y.sched.queued = s.sched.queued.set(v, kTrue) }
    if bug == .noReschedule { return (r, iteSched(acts, y, s)) }
    var n = y
    r.when(acts) { r in n = symReschedule(&r, y, bug: rescheduleBug(bug)) }
    return (r, iteSched(acts, n, s))
  }
}

/// `account()`: `accountStep()` then `reschedule()`. For onePerPCPU / onlyRunnableRun the step
/// matters only through what it writes to `parked` (cap budgets) and `priority` (OVER or UNDER
/// from the new balance, for the runnable vCPUs); both are left free here (`account.parked`,
/// `account.over`), a superset of the Spec's arithmetic, which creditBounds / capRespected prove
/// separately (`account_creditBounds`, `account_capRespected`).
func symAccountAndReschedule(bug: SchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    var a = s
    let parkedNow = Field.fresh("account.parked")
    let over = Field.fresh("account.over")
    a.parked = Field { v in word(flag(parkedNow[v])) }
    a.priority = s.priority.setWhere({ v in symRunnable(s, v) }) { v in
      BV.ite(flag(over[v]), BV(constant: DecisionPriority.over), BV(constant: DecisionPriority.under))
    }
    if bug == .noReschedule { return (r, a) }
    let n = symReschedule(&r, a, bug: rescheduleBug(bug))  // adds its choices to r
    return (r, n)
  }
}

/// `tick()`. Each running vCPU pays for the tick (credit, priority, cap budget, parked: proved
/// by `tick_creditBounds`/`tick_capRespected`), accounting may run, slices run out, then
/// `reschedule()`. Over-approximated for onePerPCPU / onlyRunnableRun: `parked` becomes anything
/// (`tick.parked`), every existing vCPU's priority anything in OVER...BOOST (`tick.priority`),
/// and the slice runs out on any set of pCPUs (`tick.expire[p]`), whose vCPUs go to their
/// queue (the Spec's `vacate`: they are still runnable). The Spec's tick is one instance.
/// With `slices` (boundedWait), the slice counters are the Spec's: each running pCPU's goes up
/// by one, and the slice runs out exactly where it reaches `ticksPerSlice` (vacate resets it).
func symTick(slices: Bool = false, bug: SchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    var t = s
    let parkedNow = Field.fresh("tick.parked")
    let prio = Field.fresh("tick.priority")
    let expire = Field.fresh("tick.expire")
    r.assumeForAll("tick.v") { v in prio[v] .>= DecisionPriority.over && prio[v] .<= DecisionPriority.boost }
    t.parked = Field { v in word(flag(parkedNow[v])) }
    t.priority = s.priority.setWhere({ v in flag(s.vcpuExists[v]) }) { v in prio[v] }
    let q = s.sched
    // s.sliceUsed[p] += 1 for every running pCPU; then `if sliceUsed[p] >= ticksPerSlice { vacate(p) }`.
    let used = q.sliceUsed.setWhere({ p in q.running[p] .!= schedNone }) { p in q.sliceUsed[p] &+ 1 }
    let expires: (BV) -> Z3Bool = { p in
      guard slices else { return flag(expire[p]) }
      let runsOut = bug == .expiryOffByOne ? used[p] .> q.ticksPerSlice : used[p] .>= q.ticksPerSlice
      return q.running[p] .!= schedNone && runsOut
    }
    let leaves: (BV) -> Z3Bool = { v in symOnCPU(s, v) && expires(q.cpuOf[v]) }
    if bug != .expiryKeepsCPU {
      t.sched.running = q.running.setWhere({ p in q.running[p] .!= schedNone && expires(p) }) { _ in schedNone }
      t.sched.cpuOf = q.cpuOf.setWhere(leaves) { _ in schedNone }
    }
    if bug != .expiryDropsVCPU {
      t.sched.queued = q.queued.setWhere({ v in leaves(v) && symRunnable(t, v) }) { _ in kTrue }
    }
    t.sched.sliceUsed = used.setWhere({ p in q.running[p] .!= schedNone && expires(p) }) { _ in kFalse }
    let n = symReschedule(&r, t, bug: rescheduleBug(bug))
    return (r, n)
  }
}

// MARK: obligations

/// The small state's vCPUs: vCPU 0 of domains 1, 2 and 3 (ids are symmetric, and distinct
/// domains let each domain's state be chosen independently).
let smallVCPUs = (1...3).map { BV(constant: UInt64($0) << 32) }

/// A small scheduler pre-state for mutant counterexamples: three vCPUs and two pCPUs; every
/// other vCPU does not exist, every other pCPU slot is empty.
func smallSchedState() -> SymState {
  var n = SymState()
  let vs = smallVCPUs
  func perVCPU(_ name: String, _ other: BV) -> Field {
    let values = (0..<3).map { BV("small.\(name)\($0)") }
    return Field { v in (0..<3).reversed().reduce(other) { rest, i in BV.ite(v .== vs[i], values[i], rest) } }
  }
  n.vcpuExists = perVCPU("exists", kFalse)
  n.parked = perVCPU("parked", kFalse)
  n.priority = perVCPU("priority", kFalse)
  n.sched.blocked = perVCPU("blocked", kFalse)
  n.sched.queued = perVCPU("queued", kFalse)
  n.sched.processor = perVCPU("processor", kFalse)
  n.sched.cpuOf = perVCPU("cpuOf", schedNone)
  n.sched.incomingOf = perVCPU("incomingOf", schedNone)
  func perPCPU(_ name: String) -> Field {
    let x0 = BV("small.\(name)0"), x1 = BV("small.\(name)1")
    return Field { p in BV.ite(p .== 0, x0, BV.ite(p .== 1, x1, schedNone)) }
  }
  n.sched.running = perPCPU("running")
  n.sched.incoming = perPCPU("incoming")
  n.sched.sliceUsed = perPCPU("sliceUsed")
  // Domains 1...3 (the small vCPUs') are symbolic; every other domain was never created.
  func perDomain(_ name: String) -> Field {
    let values = (1...3).map { BV("small.\(name)\($0)") }
    return Field { d in (1...3).reversed().reduce(kFalse) { rest, i in BV.ite(d .== BV(constant: UInt64(i)), values[i - 1], rest) } }
  }
  n.used = perDomain("used")
  n.alive = perDomain("alive")
  n.privileged = perDomain("privileged")
  n.sched.domRunning = perDomain("domRunning")
  return n
}

/// Terms at which the ground proof instantiates invariants and choice constraints: the claim's
/// pCPU and vCPUs (the claim's and the caller), closed twice under the id-valued fields
/// (vCPU -> pCPU: cpuOf, incomingOf; pCPU -> vCPU: running, incoming).
func groundTerms(_ s: SymState, pcpus: [BV], vcpus: [BV]) -> (pcpus: [BV], vcpus: [BV]) {
  let q = s.sched
  var (ps, vs) = (pcpus, vcpus)
  var (newP, newV) = (pcpus, vcpus)
  for _ in 0..<2 {
    let p2 = newV.flatMap { [q.cpuOf[$0], q.incomingOf[$0], q.processor[$0]] }
    let v2 = newP.flatMap { [q.running[$0], q.incoming[$0]] }
    ps += p2
    vs += v2
    (newP, newV) = (p2, v2)
  }
  return (ps, vs)
}

/// The hypotheses of a scheduler goal: the step's own, not refused, the pCPU count's range, and
/// the point invariants and the step's choice constraints instantiated at `pcpus` and `vcpus`.
func schedHypotheses(_ s: SymState, _ r: Refusals, _ step: Step, pcpus ps: [BV], vcpus vs: [BV]) -> [Z3Bool] {
  var hyps = step.hypotheses + [!r.refused, s.sched.pcpus .>= 1, s.sched.pcpus .<= 0x1_0000]
  for p in ps {
    for g in runQueuePointInvariants { hyps.append(g.atP(s, p)) }
  }
  for v in vs {
    hyps.append(symVCPUIdAt(s, v))
    for g in runQueuePointInvariants { hyps.append(g.atV(s, v)) }
  }
  for t in ps + vs {
    for body in r.assumptionBodies { hyps.append(body(t)) }
  }
  return hyps
}

/// `invariants(s) ∧ ¬refused ⇒ inv(step(s))` at a fresh pCPU and vCPU (so for all), from ground
/// instances of the invariants and of the step's choice constraints at `groundTerms` (fewer
/// hypotheses than the ∀ forms: a proof from them is a proof).
private func schedGroundGoal(_ inv: PointInvariant, caller: BV, pcpu: BV?, _ step: Step) -> Goal {
  let s = SymState()
  let (r, next) = step.transition(s)
  let cp = BV("claim.pcpu"), cv = BV("claim.vcpu")
  let (ps, vs) = groundTerms(s, pcpus: [cp] + (pcpu.map { [$0] } ?? []), vcpus: [cv, caller])
  let hyps = schedHypotheses(s, r, step, pcpus: ps, vcpus: vs)
  // Quantifier-free: Z3's QF_UFBV solver (bit-blasting) is ~40x faster here than the general one.
  let witnesses = step.witnesses + [.word("claim.pcpu", cp), .word("claim.vcpu", cv)]
  return Goal(claim: inv.atP(next, cp) && inv.atV(next, cv), hypotheses: hyps, witnesses: witnesses, logic: "QF_UFBV")
}

/// The mutant goal: the small pre-state. There every field has finite support (3 vCPUs, pCPUs 0
/// and 1; any other id does not exist, is not queued, has no pCPU, and any other pCPU is empty), so
/// the ∀ invariants and choice constraints are exactly their instances at those points (at any
/// other id they hold by the defaults), and the goal is ground: its counterexamples are genuine.
private func schedMutantGoal(_ inv: PointInvariant, _ step: Step) -> Goal {
  let s = smallSchedState()
  let (r, next) = step.transition(s)
  let vs = smallVCPUs
  let ps = [BV(constant: 0), BV(constant: 1)]
  let hyps = schedHypotheses(s, r, step, pcpus: ps, vcpus: vs) + step.mutantShape
  let cp = BV("claim.pcpu"), cv = BV("claim.vcpu")
  return Goal(
    claim: inv.atP(next, cp) && inv.atV(next, cv), hypotheses: hyps,
    witnesses: step.witnesses + smallSchedWitnesses(s) + [.word("claim.pcpu", cp), .word("claim.vcpu", cv)],
    logic: "QF_UFBV")
}

func smallSchedWitnesses(_ s: SymState) -> [Witness] {
  (0..<3).map { Witness.word("queued\($0)", s.sched.queued[smallVCPUs[$0]]) }
    + (0..<3).map { Witness.word("processor\($0)", s.sched.processor[smallVCPUs[$0]]) } + [
    .word("running0", s.sched.running[BV(constant: 0)]), .word("running1", s.sched.running[BV(constant: 1)]),
    .word("pcpus", s.sched.pcpus),
  ]
}

func schedObligation(
  _ op: String, _ inv: PointInvariant, caller: String = "vcpu", pcpu: String? = nil, step: @escaping @Sendable () -> Step,
  mutant: String, _ weak: @escaping @Sendable () -> Step,
  and more: [(String, @Sendable () -> Step)] = []
) -> Obligation {
  let mutants = ([(mutant, weak)] + more).map { name, weak in Mutant(name) { schedMutantGoal(inv, weak()) } }
  return Obligation("\(op)_\(inv.name)", mutants: mutants) {
    schedGroundGoal(inv, caller: BV(caller), pcpu: pcpu.map { BV($0) }, step())
  }
}

private func wake(_ bug: SchedBug = .none) -> @Sendable () -> Step {
  {
    let v = BV("vcpu")
    return Step(transition: symWake(vcpu: v, bug: bug), witnesses: [.word("vcpu", v)])
  }
}
private func block(_ bug: SchedBug = .none) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), e = Z3Bool("deliverable")
    return Step(transition: symBlock(caller: v, deliverable: e, bug: bug), witnesses: [.word("vcpu", v), .flag("deliverable", e)])
  }
}
private func yield(_ bug: SchedBug = .none) -> @Sendable () -> Step {
  {
    let v = BV("vcpu")
    return Step(transition: symYield(caller: v, bug: bug), witnesses: [.word("vcpu", v)])
  }
}
private func tick(_ bug: SchedBug = .none) -> @Sendable () -> Step {
  { Step(transition: symTick(bug: bug)) }
}
private func accountFull(_ bug: SchedBug = .none) -> @Sendable () -> Step {
  // No hypotheses on the credit earned: priorities come out OVER or UNDER whatever it is.
  { Step(transition: symAccountAndReschedule(bug: bug)) }
}

let runQueueObligations: [Obligation] = {
  let one = onePerPCPUPoint, only = onlyRunnableRunPoint
  let credit = schedulerInvariants
  let cb = creditBoundsInv, cr = capRespectedInv
  return [
    schedObligation("wake", one, step: wake(), mutant: "noBlockedCheck", wake(.noBlockedCheck)),
    schedObligation("wake", only, step: wake(), mutant: "queuesUnrunnable", wake(.queuesUnrunnable)),
    inductive("wake", cb, group: credit, step: wake(), mutant: .noInductionHypothesis),
    inductive("wake", cr, group: credit, step: wake(), mutant: .noInductionHypothesis),
    schedObligation("block", one, step: block(), mutant: "pickStaysQueued", block(.reschedule(.pickStaysQueued))),
    schedObligation("block", only, step: block(), mutant: "staysQueued", block(.staysQueued)),
    inductive("block", cb, group: credit, step: block(), mutant: .noInductionHypothesis),
    inductive("block", cr, group: credit, step: block(), mutant: .noInductionHypothesis),
    schedObligation("yield", one, step: yield(), mutant: "keepsCPU", yield(.keepsCPU),
      and: [("stealKeepsHome", yield(.reschedule(.stealKeepsHome)))]),
    schedObligation("yield", only, step: yield(), mutant: "dropsCaller", yield(.dropsCaller)),
    inductive("yield", cb, group: credit, step: yield(), mutant: .noInductionHypothesis),
    inductive("yield", cr, group: credit, step: yield(), mutant: .noInductionHypothesis),
    schedObligation("account", one, step: accountFull(), mutant: "pickStaysQueued", accountFull(.reschedule(.pickStaysQueued))),
    schedObligation("account", only, step: accountFull(), mutant: "evictWithoutRequeue", accountFull(.reschedule(.evictWithoutRequeue))),
    schedObligation("tick", one, step: tick(), mutant: "expiryKeepsCPU", tick(.expiryKeepsCPU),
      and: [("stealKeepsHome", tick(.reschedule(.stealKeepsHome)))]),
    schedObligation("tick", only, step: tick(), mutant: "expiryDropsVCPU", tick(.expiryDropsVCPU)),
  ]
}()
