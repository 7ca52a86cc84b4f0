// domainPause_/domainUnpause_/domainDestroy_/setCap_ × onePerPCPU, onlyRunnableRun: the
// control-domain operations keep every vCPU in exactly one place, as the guest-facing ones do
// (RunQueueObligations.swift, whose model, ground goals and small mutant state these reuse).
//
// Each is the Spec's step over a whole target domain d (every vCPU v with v >> 32 == d), then
// `reschedule()` as its net effect. The caller checks (live privileged caller, live target) are
// the Spec's; `setWeight` is not here because it writes only weights, which neither invariant
// reads.

import BulkheadCore
import Z3Kit

/// Checks or updates a domain-level mutant may drop.
enum DomainSchedBug: Equatable { case none, leavesQueued, staleCPU, queuesBlocked, noPausedCheck, parksWithoutReschedule, pickStaysQueued }

/// `privilegedCaller(caller)` and `liveDomain(target)`: the caller vCPU exists in a live,
/// privileged domain (ESRCH, EPERM), the target is alive (ESRCH).
private func symControlChecks(_ r: inout Refusals, _ s: SymState, caller v: BV, target d: BV) {
  r.guard(flag(s.vcpuExists[v]) && flag(s.alive[vcpuDomain(v)]), DecisionErrno.ESRCH)
  r.guard(flag(s.privileged[vcpuDomain(v)]), DecisionErrno.EPERM)
  r.guard(flag(s.alive[d]), DecisionErrno.ESRCH)
}

/// `deschedule(domain: d)`: d's vCPUs leave their pCPUs and the queues.
private func symDeschedule(_ s: SymState, _ d: BV, bug: DomainSchedBug) -> SymState {
  let q = s.sched
  var n = s
  n.sched.running = q.running.setWhere({ p in q.running[p] .!= schedNone && vcpuDomain(q.running[p]) .== d }) { _ in schedNone }
  if bug != .staleCPU { n.sched.cpuOf = q.cpuOf.setWhere({ v in vcpuDomain(v) .== d }) { _ in schedNone } }
  if bug != .leavesQueued { n.sched.queued = q.queued.setWhere({ v in vcpuDomain(v) .== d }) { _ in kFalse } }
  return n
}

/// `domainPause(caller:target:)`: paused, descheduled, reschedule.
func symDomainPause(caller v: BV, target d: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d)
    var p = s
    p.sched.domRunning = s.sched.domRunning.set(d, kFalse)
    p = symDeschedule(p, d, bug: bug)
    let n = symReschedule(&r, p)  // adds its choices to r: before r is returned
    return (r, n)
  }
}

/// `domainUnpause(caller:target:)`: if paused, running, its non-blocked vCPUs queued at home,
/// reschedule.
func symDomainUnpause(caller v: BV, target d: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d)
    let acts = bug == .noPausedCheck ? Z3Bool.true : !flag(s.sched.domRunning[d])
    var u = s
    u.sched.domRunning = s.sched.domRunning.set(d, kTrue)
    u.sched.queued = s.sched.queued.setWhere({ w in
      vcpuDomain(w) .== d && flag(s.vcpuExists[w]) && (bug == .queuesBlocked ? Z3Bool.true : !flag(s.sched.blocked[w]))
    }) { _ in kTrue }
    let n = symReschedule(&r, u)
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
    x.vcpuExists = s.vcpuExists.setWhere({ w in vcpuDomain(w) .== d }) { _ in kFalse }
    x.alive = s.alive.set(d, kFalse)
    x.sched.domRunning = s.sched.domRunning.set(d, kFalse)
    let n = symReschedule(&r, x)
    return (r, n)
  }
}

/// `setCap(caller:target:cap:)`, scheduler side: every vCPU of the target unparked (its budget
/// refilled), then reschedule. Mutants: parking them instead without a reschedule; a
/// reschedule that leaves its pick queued.
func symSetCapSched(caller v: BV, target d: BV, bug: DomainSchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symControlChecks(&r, s, caller: v, target: d)
    var c = s
    let parkedNow = bug == .parksWithoutReschedule ? kTrue : kFalse
    c.parked = s.parked.setWhere({ w in vcpuDomain(w) .== d }) { _ in parkedNow }
    if bug == .parksWithoutReschedule { return (r, c) }
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

let domainSchedObligations: [Obligation] = {
  let one = onePerPCPUPoint, only = onlyRunnableRunPoint
  let pause = { (b: DomainSchedBug) in control { symDomainPause(caller: $0, target: $1, bug: b) } }
  let unpause = { (b: DomainSchedBug) in control { symDomainUnpause(caller: $0, target: $1, bug: b) } }
  let destroy = { (b: DomainSchedBug) in control { symDomainDestroySched(caller: $0, target: $1, bug: b) } }
  let setCap = { (b: DomainSchedBug) in control { symSetCapSched(caller: $0, target: $1, bug: b) } }
  return [
    schedObligation("domainPause", one, step: pause(.none), mutant: "staleCPU", pause(.staleCPU)),
    schedObligation("domainPause", only, step: pause(.none), mutant: "leavesQueued", pause(.leavesQueued)),
    schedObligation("domainUnpause", one, step: unpause(.none), mutant: "noPausedCheck", unpause(.noPausedCheck)),
    schedObligation("domainUnpause", only, step: unpause(.none), mutant: "queuesBlocked", unpause(.queuesBlocked)),
    schedObligation("domainDestroy", one, step: destroy(.none), mutant: "staleCPU", destroy(.staleCPU)),
    schedObligation("domainDestroy", only, step: destroy(.none), mutant: "leavesQueued", destroy(.leavesQueued)),
    schedObligation("setCap", one, step: setCap(.none), mutant: "pickStaysQueued", setCap(.pickStaysQueued)),
    schedObligation("setCap", only, step: setCap(.none), mutant: "parksWithoutReschedule", setCap(.parksWithoutReschedule)),
  ]
}()
