// domainCreate_/domainPause_/domainUnpause_/domainDestroy_/setCap_ × onePerPCPU,
// onlyRunnableRun, domainConsistency (vCPU part): the control-domain operations keep every vCPU
// in exactly one place, as the guest-facing ones do (RunQueueObligations.swift, whose model,
// ground goals and small mutant state these reuse), and vCPUs only in live domains.
// (The guest-facing steps and setCap write none of vcpuExists/alive/used/domRunning, so they
// keep the vCPU part of domainConsistency trivially; domainPause only clears domRunning.)
//
// Each is the Spec's step over a whole target domain d (every vCPU v with v >> 32 == d), then
// `reschedule()` as its net effect. The caller checks (live privileged caller, live target) are
// the Spec's; `setWeight` is not here because it writes only weights, which neither invariant
// reads.

import BulkheadCore
import Z3Kit

/// Checks or updates a domain-level mutant may drop.
enum DomainSchedBug: Equatable {
  case none, leavesQueued, staleCPU, queuesBlocked, noPausedCheck, parksWithoutReschedule, pickStaysQueued
  case leavesVCPUs, noTargetCheck, newHomeAnywhere, createsRunning, forgetsDomain, marksRunning
  /// The step's own part without the `reschedule()` after it.
  case noReschedule
  /// `deschedule` idles a pCPU without `sliceUsed[p] = 0`.
  case keepsSlice
  /// create makes the domain running with its vCPUs queued (an unpause without reschedule).
  case queuesNewVCPUs
}

/// `privilegedCaller(caller)` and `liveDomain(target)`: the caller vCPU exists in a live,
/// privileged domain (ESRCH, EPERM), the target is alive (ESRCH).
private func symControlChecks(_ r: inout Refusals, _ s: SymState, caller v: BV, target d: BV, checkTarget: Bool = true) {
  symPrivilegedCaller(&r, s, caller: v)
  if checkTarget { r.guard(flag(s.alive[d]), DecisionErrno.ESRCH) }
}

/// `privilegedCaller(caller)`: the caller vCPU exists in a live (ESRCH), privileged (EPERM) domain.
private func symPrivilegedCaller(_ r: inout Refusals, _ s: SymState, caller v: BV) {
  symCallerVCPU(&r, s, v)
  r.guard(flag(s.privileged[vcpuDomain(v)]), DecisionErrno.EPERM)
}

/// `domainCreate(caller:domain:maxPages:vcpus:)`, scheduler side: a fresh id (EEXIST), 16-bit,
/// `1...maxVCPUsPerDomain` vCPUs (EINVAL; the count is `count`, any value up to 2^32 here), the
/// domain used, alive and paused, its vCPUs existing, unblocked, unparked, UNDER, credit 0,
/// uncapped with budget 0, each with a home pCPU (`homePCPU`: any pCPU that exists, `create.home[v] < pcpus`). Not queued: paused.
func symDomainCreateSched(caller v: BV, domain d: BV, count: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symPrivilegedCaller(&r, s, caller: v)
    r.guard(!flag(s.used[d]), DecisionErrno.EEXIST)
    r.guard(d .< 0x1_0000, DecisionErrno.EINVAL)
    r.guard(count .>= 1 && count .<= 0xFFFF_FFFF, DecisionErrno.EINVAL)
    let home = Field.fresh("create.home")
    if bug != .newHomeAnywhere {
      r.assumeForAll("create.v") { w in home[w] .< s.sched.pcpus }
    }
    let isNew: (BV) -> Z3Bool = { w in vcpuDomain(w) .== d && (w & 0xFFFF_FFFF) .< count }
    var n = s
    n.used = s.used.set(d, kTrue)
    if bug != .forgetsDomain { n.alive = s.alive.set(d, kTrue) }
    n.privileged = s.privileged.set(d, kFalse)
    n.sched.domRunning = s.sched.domRunning.set(d, bug == .createsRunning || bug == .queuesNewVCPUs ? kTrue : kFalse)
    if bug == .queuesNewVCPUs { n.sched.queued = s.sched.queued.setWhere(isNew) { _ in kTrue } }
    n.vcpuExists = s.vcpuExists.setWhere(isNew) { _ in kTrue }
    n.sched.blocked = s.sched.blocked.setWhere(isNew) { _ in kFalse }
    n.parked = s.parked.setWhere(isNew) { _ in kFalse }
    n.priority = s.priority.setWhere(isNew) { _ in BV(constant: DecisionPriority.under) }
    n.sched.processor = s.sched.processor.setWhere(isNew) { w in home[w] }
    n.credit = s.credit.setWhere(isNew) { _ in kFalse }  // VCPU(weight:): credit 0, uncapped
    n.cap = s.cap.setWhere(isNew) { _ in kFalse }
    n.weight = s.weight.setWhere(isNew) { _ in s.defaultWeight }
    n.capBudget = s.capBudget.setWhere(isNew) { _ in kFalse }
    return (r, n)
  }
}

/// `deschedule(domain: d)`: d's vCPUs leave their pCPUs and the queues.
private func symDeschedule(_ s: SymState, _ d: BV, bug: DomainSchedBug) -> SymState {
  let q = s.sched
  var n = s
  let idles: (BV) -> Z3Bool = { p in q.running[p] .!= schedNone && vcpuDomain(q.running[p]) .== d }
  n.sched.running = q.running.setWhere(idles) { _ in schedNone }
  if bug != .keepsSlice { n.sched.sliceUsed = q.sliceUsed.setWhere(idles) { _ in kFalse } }
  if bug != .staleCPU { n.sched.cpuOf = q.cpuOf.setWhere({ v in vcpuDomain(v) .== d }) { _ in schedNone } }
  if bug != .leavesQueued { n.sched.queued = q.queued.setWhere({ v in vcpuDomain(v) .== d }) { _ in kFalse } }
  return n
}

/// `domainPause(caller:target:)`: paused, descheduled, reschedule.
func symDomainPause(caller v: BV, target d: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d, checkTarget: bug != .marksRunning)
    var p = s
    p.sched.domRunning = s.sched.domRunning.set(d, bug == .marksRunning ? kTrue : kFalse)
    p = symDeschedule(p, d, bug: bug)
    if bug == .noReschedule { return (r, p) }
    let n = symReschedule(&r, p)  // adds its choices to r: before r is returned
    return (r, n)
  }
}

/// `domainUnpause(caller:target:)`: if paused, running, its non-blocked vCPUs queued at home,
/// reschedule.
func symDomainUnpause(caller v: BV, target d: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d, checkTarget: bug != .noTargetCheck)
    let acts = bug == .noPausedCheck ? Z3Bool.true : !flag(s.sched.domRunning[d])
    var u = s
    u.sched.domRunning = s.sched.domRunning.set(d, kTrue)
    u.sched.queued = s.sched.queued.setWhere({ w in
      vcpuDomain(w) .== d && flag(s.vcpuExists[w]) && (bug == .queuesBlocked ? Z3Bool.true : !flag(s.sched.blocked[w]))
    }) { _ in kTrue }
    if bug == .noReschedule { return (r, iteSched(acts, u, s).withDomRunning(acts, u, s)) }
    var n = u
    r.when(acts) { r in n = symReschedule(&r, u) }
    return (r, iteSched(acts, n, s).withDomRunning(acts, n, s))
  }
}

/// `domainDestroy(caller:target:)`, scheduler side: not the caller's own domain (EINVAL); its
/// vCPUs descheduled and gone, the domain dead, reschedule. (The memory side is elsewhere.)
func symDomainDestroySched(caller v: BV, target d: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d)
    r.guard(d .!= vcpuDomain(v), DecisionErrno.EINVAL)
    var x = symDeschedule(s, d, bug: bug)
    if bug != .leavesVCPUs { x.vcpuExists = s.vcpuExists.setWhere({ w in vcpuDomain(w) .== d }) { _ in kFalse } }
    x.alive = s.alive.set(d, kFalse)
    x.sched.domRunning = s.sched.domRunning.set(d, kFalse)
    if bug == .noReschedule { return (r, x) }
    let n = symReschedule(&r, x)
    return (r, n)
  }
}

/// `setWeight(caller:target:weight:)`: `1 <= weight <= 65535` (EINVAL), then every vCPU of the
/// target gets it. No reschedule: weights count only at the next accounting.
func symSetWeight(caller v: BV, target d: BV, weight w: BV, checkRange: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d)
    if checkRange { r.guard(w .>= 1 && w .<= 65535, DecisionErrno.EINVAL) }
    var n = s
    n.weight = s.weight.setWhere({ x in vcpuDomain(x) .== d }) { _ in w }
    return (r, n)
  }
}

private func setWeight(checkRange: Bool = true) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), d = BV("target"), w = BV("weight")
    return Step(
      transition: symSetWeight(caller: v, target: d, weight: w, checkRange: checkRange),
      witnesses: [.word("vcpu", v), .word("target", d), .word("weight", w)])
  }
}

/// `setCap(caller:target:cap:)`, scheduler side: every vCPU of the target unparked (its budget
/// refilled), then reschedule. Mutants: parking them instead without a reschedule; a
/// reschedule that leaves its pick queued; unparking them without the reschedule.
func symSetCapSched(caller v: BV, target d: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d)
    var c = s
    let parkedNow = bug == .parksWithoutReschedule ? kTrue : kFalse
    c.parked = s.parked.setWhere({ w in vcpuDomain(w) .== d }) { _ in parkedNow }
    if bug == .parksWithoutReschedule || bug == .noReschedule { return (r, c) }
    let n = symReschedule(&r, c, bug: bug == .pickStaysQueued ? .pickStaysQueued : .none)
    return (r, n)
  }
}

extension SymState {
  /// `domRunning` of `a` where `c`, else of `b` (iteSched leaves it out: the guest-facing
  /// steps never change it).
  func withDomRunning(_ c: Z3Bool, _ a: SymState, _ b: SymState) -> SymState {
    var n = self
    n.sched.domRunning = Field { i in BV.ite(c, a.sched.domRunning[i], b.sched.domRunning[i]) }
    return n
  }
}

private func control(_ make: @escaping @Sendable (BV, BV) -> SymTransition) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), d = BV("target")
    return Step(transition: make(v, d), witnesses: [.word("vcpu", v), .word("target", d)])
  }
}

private func create(_ bug: DomainSchedBug) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), d = BV("target"), n = BV("count")
    // `SchedulerConfig.isValid`'s range for the default weight. Stated here, not in the global
    // `configRanges`: as a hypothesis of every goal it sent one quantified memory goal's
    // instantiation astray (populatePhysmap_allocationSlots: 0.5 s -> 44 s).
    let w = SymState().defaultWeight
    return Step(
      transition: symDomainCreateSched(caller: v, domain: d, count: n, bug: bug),
      hypotheses: [w .>= 1, w .<= 65535],
      witnesses: [.word("vcpu", v), .word("target", d), .word("count", n)])
  }
}

let domainSchedObligations: [Obligation] = {
  let one = onePerPCPUPoint, only = onlyRunnableRunPoint, dc = vcpuDomainsPoint
  let credit = schedulerInvariants
  let cb = creditBoundsInv, cr = capRespectedInv
  let pause = { (b: DomainSchedBug) in control { symDomainPause(caller: $0, target: $1, bug: b) } }
  let unpause = { (b: DomainSchedBug) in control { symDomainUnpause(caller: $0, target: $1, bug: b) } }
  let destroy = { (b: DomainSchedBug) in control { symDomainDestroySched(caller: $0, target: $1, bug: b) } }
  let setCap = { (b: DomainSchedBug) in control { symSetCapSched(caller: $0, target: $1, bug: b) } }
  return [
    schedObligation("domainCreate", one, step: create(.none), mutant: "newHomeAnywhere", create(.newHomeAnywhere)),
    schedObligation("domainCreate", only, step: create(.none), mutant: "createsRunning", create(.createsRunning)),
    schedObligation("domainCreate", dc, step: create(.none), mutant: "forgetsDomain", create(.forgetsDomain)),
    schedObligation("domainDestroy", dc, step: destroy(.none), mutant: "leavesVCPUs", destroy(.leavesVCPUs)),
    schedObligation("domainUnpause", dc, step: unpause(.none), mutant: "noTargetCheck", unpause(.noTargetCheck)),
    // The mutant runs any domain it is named, dead or alive: unpause's write without the target check.
    schedObligation("domainPause", dc, step: pause(.none), mutant: "marksRunning", pause(.marksRunning)),
    schedObligation("domainPause", one, step: pause(.none), mutant: "staleCPU", pause(.staleCPU)),
    schedObligation("domainPause", only, step: pause(.none), mutant: "leavesQueued", pause(.leavesQueued)),
    schedObligation("domainUnpause", one, step: unpause(.none), mutant: "noPausedCheck", unpause(.noPausedCheck)),
    schedObligation("domainUnpause", only, step: unpause(.none), mutant: "queuesBlocked", unpause(.queuesBlocked)),
    schedObligation("domainDestroy", one, step: destroy(.none), mutant: "staleCPU", destroy(.staleCPU)),
    schedObligation("domainDestroy", only, step: destroy(.none), mutant: "leavesQueued", destroy(.leavesQueued)),
    // Credit accounts: create starts them at 0; destroy, pause and unpause leave them alone.
    inductive("domainCreate", cb, group: credit, step: create(.none), mutant: .noInductionHypothesis),
    inductive("domainCreate", cr, group: credit, step: create(.none), mutant: .noInductionHypothesis),
    inductive("domainDestroy", cb, group: credit, step: destroy(.none), mutant: .noInductionHypothesis),
    inductive("domainDestroy", cr, group: credit, step: destroy(.none), mutant: .noInductionHypothesis),
    inductive("domainPause", cr, group: credit, step: pause(.none), mutant: .noInductionHypothesis),
    inductive("domainUnpause", cr, group: credit, step: unpause(.none), mutant: .noInductionHypothesis),
    inductive("setWeight", cb, group: credit, step: setWeight(), mutant: .weakened("noWeightRangeCheck", setWeight(checkRange: false))),
    inductive("setWeight", cr, group: credit, step: setWeight(), mutant: .noInductionHypothesis),
    schedObligation("setCap", one, step: setCap(.none), mutant: "pickStaysQueued", setCap(.pickStaysQueued)),
    schedObligation("setCap", only, step: setCap(.none), mutant: "parksWithoutReschedule", setCap(.parksWithoutReschedule)),
  ]
}()
