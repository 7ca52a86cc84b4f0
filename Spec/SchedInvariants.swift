// Scheduler invariants.

/// `onePerPCPU`: no vCPU is on two pCPUs, none is both running and queued, none is queued twice;
/// a running vCPU's home (`processor`) is the pCPU it runs on, a queued one's is its queue's pCPU.
func checkOnePerPCPU(_ s: SpecState) -> [Violation] {
  let n = "onePerPCPU"
  var out: [Violation] = []
  let on = s.running.compactMap { $0 }
  let queued = s.runQueues.flatMap { $0 }
  if Set(on).count != on.count { out.append(Violation(n, "a vCPU runs twice: \(s.running)")) }
  if Set(queued).count != queued.count { out.append(Violation(n, "a vCPU is queued twice")) }
  for v in on where queued.contains(v) { out.append(Violation(n, "\(v) running and queued")) }
  if s.running.count != s.config.pcpus || s.sliceUsed.count != s.config.pcpus
    || s.runQueues.count != s.config.pcpus
  {
    out.append(Violation(n, "pCPU arrays do not match config.pcpus"))
    return out
  }
  for (p, v) in s.running.enumerated() {
    if let v, s.vcpus[v]?.processor != p { out.append(Violation(n, "\(v) runs on pCPU\(p) away from home")) }
  }
  for (p, q) in s.runQueues.enumerated() {
    for v in q where s.vcpus[v]?.processor != p { out.append(Violation(n, "\(v) queued on pCPU\(p) away from home")) }
  }
  return out
}

/// `onlyRunnableRun`: running vCPUs are schedulable (alive, domain running, not blocked, not
/// parked); queued vCPUs are runnable; every runnable vCPU is running or queued (none is lost).
func checkOnlyRunnableRun(_ s: SpecState) -> [Violation] {
  let n = "onlyRunnableRun"
  var out: [Violation] = []
  for v in s.running.compactMap({ $0 }) where !s.isSchedulable(v) {
    out.append(Violation(n, "\(v) runs but is not schedulable"))
  }
  for v in s.runQueues.joined() where !s.isRunnable(v) { out.append(Violation(n, "\(v) queued but not runnable")) }
  for v in s.vcpus.keys.sorted() where s.isRunnable(v) {
    if s.pcpu(of: v) == nil && !s.isQueued(v) { out.append(Violation(n, "\(v) is lost")) }
  }
  for (v, vc) in s.vcpus where vc.priority == .idle { out.append(Violation(n, "\(v) has IDLE priority")) }
  return out
}

/// `creditBounds`: every credit is within `-creditBound...creditBound`, and every weight is
/// within 1...65535.
func checkCreditBounds(_ s: SpecState) -> [Violation] {
  let n = "creditBounds"
  let b = s.config.creditBound
  var out: [Violation] = []
  for (v, vc) in s.vcpus {
    if !(-b...b).contains(vc.credit) { out.append(Violation(n, "\(v) credit \(vc.credit)")) }
    if !(1...65535).contains(vc.weight) { out.append(Violation(n, "\(v) weight \(vc.weight)")) }
  }
  return out
}

/// `capRespected`: a capped vCPU's budget is within `-99...cap*ticksPerAccount` (it can only
/// overdraw by the one tick it was running when the budget ran out) and it is parked exactly
/// when the budget is used up; an uncapped vCPU is never parked. Consequence (checked by the
/// tests): over k accounting periods a vCPU with cap c runs at most
/// `(k + 1) * c * ticksPerAccount / 100 + 1` ticks.
func checkCapRespected(_ s: SpecState) -> [Violation] {
  let n = "capRespected"
  var out: [Violation] = []
  for (v, vc) in s.vcpus {
    if !(0...100).contains(vc.cap) { out.append(Violation(n, "\(v) cap \(vc.cap)")) }
    if vc.cap == 0 {
      if vc.parked || vc.capBudget != 0 { out.append(Violation(n, "uncapped \(v) parked/budgeted")) }
    } else {
      let full = vc.cap * s.config.ticksPerAccount
      if !(-99...full).contains(vc.capBudget) { out.append(Violation(n, "\(v) budget \(vc.capBudget)")) }
      if vc.parked != (vc.capBudget <= 0) {
        out.append(Violation(n, "\(v) parked=\(vc.parked) with budget \(vc.capBudget)"))
      }
    }
  }
  return out
}

/// `boundedWait`: the scheduler is work-conserving and priority-respecting: no pCPU is idle
/// and no running vCPU has a lower priority while a schedulable vCPU is queued, and no vCPU has
/// run past its slice. The bound this gives: with no new wake-ups, a queued vCPU of priority p
/// waits at most `ticksPerSlice` ticks for each vCPU ahead of it in its own queue at priority
/// >= p, and a peer pCPU takes it sooner if it outranks the peer's work; accounting then lifts
/// every active vCPU to UNDER at least every time its balance recovers, so OVER vCPUs are not
/// starved forever, and a pCPU whose own vCPU burns its credit (goes OVER) steals an UNDER one
/// (the fairness and latency tests measure the actual waits).
func checkBoundedWait(_ s: SpecState) -> [Violation] {
  let n = "boundedWait"
  var out: [Violation] = []
  if let c = s.bestQueued() {
    let prio = s.vcpus[c]!.priority
    for (p, v) in s.running.enumerated() {
      if let v {
        if s.vcpus[v]!.priority < prio { out.append(Violation(n, "\(c) (\(prio)) waits behind \(v) on pCPU\(p)")) }
      } else {
        out.append(Violation(n, "pCPU\(p) idle while \(c) waits"))
      }
    }
  }
  for (p, used) in s.sliceUsed.enumerated() {
    if used >= s.config.ticksPerSlice || (s.running[p] == nil && used != 0) {
      out.append(Violation(n, "pCPU\(p) slice counter \(used)"))
    }
  }
  return out
}
