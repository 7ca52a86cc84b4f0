// evtchnSend_ / evtchnUnmask_ / raiseVirq_ × onePerPCPU, onlyRunnableRun, creditBounds,
// capRespected: the event-channel transitions' effect on the scheduler.
//
// Each of them, after its port-table work (EventChannelObligations.swift), calls the Spec's
// `wakeBlocked(VCPUID(d, 0))` when the event becomes deliverable (set pending on an unmasked port;
// unmask of a pending port; a bound VIRQ). So their scheduler step is "maybe wake one vCPU":
// `deliverable` is left free and the woken vCPU is any vCPU (vCPU 0 of the domain is one
// instance), a superset of each Spec step. Their caller checks only refuse more, so they are
// left out (fewer refusals: more behaviours).

import Z3Kit

/// The scheduler part of an event arriving: `if deliverable { wakeBlocked(v) }`.
func symEventWake(vcpu v: BV, deliverable: Z3Bool, bug: SchedBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    var n = s
    r.when(deliverable) { r in n = symWakeBlocked(&r, s, v, bug: bug) }  // adds reschedule's choices to r
    return (r, iteSched(deliverable, n, s))
  }
}

private func eventWake(_ bug: SchedBug = .none) -> @Sendable () -> Step {
  {
    let v = BV("vcpu"), e = Z3Bool("deliverable")
    return Step(transition: symEventWake(vcpu: v, deliverable: e, bug: bug), witnesses: [.word("vcpu", v), .flag("deliverable", e)])
  }
}

let eventWakeObligations: [Obligation] = {
  let one = onePerPCPUPoint, only = onlyRunnableRunPoint
  let credit = schedulerInvariants
  let cb = creditBoundsInv, cr = capRespectedInv
  return ["evtchnSend", "evtchnUnmask", "raiseVirq"].flatMap { op in
    [
      schedObligation(op, one, step: eventWake(), mutant: "noBlockedCheck", eventWake(.noBlockedCheck)),
      schedObligation(op, only, step: eventWake(), mutant: "queuesUnrunnable", eventWake(.queuesUnrunnable)),
      inductive(op, cb, group: credit, step: eventWake(), mutant: .noInductionHypothesis),
      inductive(op, cr, group: credit, step: eventWake(), mutant: .noInductionHypothesis),
    ]
  }
}()
