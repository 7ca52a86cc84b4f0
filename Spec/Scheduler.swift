// The credit scheduler (Xen credit1), simplified to one global run queue.
//
// Time advances in ticks (`config.tickMs`, 10 ms). At each tick the vCPU running on each pCPU
// pays `creditsPerTick`. Every `ticksPerAccount` ticks (30 ms) the pCPUs' worth of credit for
// that period is shared among the active vCPUs in proportion to their weights. A vCPU's priority
// follows its balance: UNDER while credit >= 0, OVER below. A vCPU woken from a block gets
// BOOST until its next tick, which is what makes I/O-bound guests responsive.
//
// Scheduling isolation means one domain cannot take more than its share (weights, caps) and
// cannot starve another: `creditBounds`, `capRespected`, `boundedWait` and the fairness property.
//
// Choosing who runs (`reschedule`), in order:
//   1. a running vCPU that may no longer run (blocked, paused, parked) leaves its pCPU;
//   2. each idle pCPU takes the best queued vCPU: highest priority, then first in the queue;
//   3. while the best queued vCPU has a strictly higher priority than some running vCPU, it
//      preempts the lowest-priority one (lowest pCPU index on ties), which goes to the queue tail.

extension SpecState {
  /// Whether `v` may be on a pCPU or in the run queue: alive, domain running, not blocked.
  public func isRunnable(_ v: VCPUID) -> Bool {
    guard let vc = vcpus[v], domains[v.domain]?.state == .running else { return false }
    return !vc.blocked
  }

  /// Whether `v` may be picked to run now: runnable and not parked by its cap.
  public func isSchedulable(_ v: VCPUID) -> Bool { isRunnable(v) && !vcpus[v]!.parked }

  /// The pCPU `v` is running on, if any.
  public func pcpu(of v: VCPUID) -> PCPU? { running.firstIndex(of: v) }

  /// The queued vCPU `reschedule` would pick next: highest priority, then earliest queued.
  public func bestQueued() -> VCPUID? {
    var best: VCPUID? = nil
    for v in runQueue where isSchedulable(v) {
      if best == nil || vcpus[v]!.priority > vcpus[best!]!.priority { best = v }
    }
    return best
  }

  /// Puts the right vCPUs on the pCPUs (see the file comment for the three steps).
  mutating func reschedule() {
    for p in running.indices {
      if let v = running[p], !isSchedulable(v) {
        running[p] = nil
        sliceUsed[p] = 0
        if isRunnable(v) { runQueue.append(v) }
      }
    }
    for p in running.indices where running[p] == nil {
      guard let c = bestQueued() else { break }
      runQueue.removeAll { $0 == c }
      running[p] = c
      sliceUsed[p] = 0
    }
    while let c = bestQueued() {
      let prio = vcpus[c]!.priority
      let victims = running.indices.filter { vcpus[running[$0]!]!.priority < prio }
      guard let p = victims.min(by: { vcpus[running[$0]!]!.priority < vcpus[running[$1]!]!.priority })
      else { break }
      runQueue.removeAll { $0 == c }
      runQueue.append(running[p]!)
      running[p] = c
      sliceUsed[p] = 0
    }
  }

  /// Removes every vCPU of `d` from the pCPUs and the run queue.
  mutating func deschedule(domain d: DomID) {
    for p in running.indices where running[p]?.domain == d {
      running[p] = nil
      sliceUsed[p] = 0
    }
    runQueue.removeAll { $0.domain == d }
  }

  /// Unblocks `v` if it is blocked: UNDER becomes BOOST, and it joins the queue if its domain runs.
  mutating func wakeBlocked(_ v: VCPUID) {
    guard vcpus[v]?.blocked == true else { return }
    vcpus[v]!.blocked = false
    if vcpus[v]!.priority == .under { vcpus[v]!.priority = .boost }
    if isRunnable(v) { runQueue.append(v) }
    reschedule()
  }

  /// The accounting step: shares one period of credit among active vCPUs by weight, resets
  /// priorities from balances, and refills cap budgets.
  mutating func accountStep() {
    let active = vcpus.keys.filter { isRunnable($0) }.sorted()
    let total = config.creditsPerAccount * config.pcpus
    let sumWeights = active.reduce(0) { $0 + vcpus[$1]!.weight }
    let bound = config.creditBound
    for v in active {
      let earned = total * vcpus[v]!.weight / sumWeights  // remainder is lost, as in Xen
      let credit = min(max(vcpus[v]!.credit + earned, -bound), bound)
      vcpus[v]!.credit = credit
      vcpus[v]!.priority = credit >= 0 ? .under : .over
    }
    for v in vcpus.keys.sorted() where vcpus[v]!.cap > 0 {
      let full = vcpus[v]!.cap * config.ticksPerAccount
      vcpus[v]!.capBudget = min(vcpus[v]!.capBudget + full, full)
      vcpus[v]!.parked = vcpus[v]!.capBudget <= 0
    }
  }

  /// One timer tick on every pCPU. Never refused.
  ///
  /// Each running vCPU pays `creditsPerTick` (clamped at `-creditBound`), loses BOOST, drops to
  /// OVER if its balance went negative, pays 100 percent-ticks of cap budget if capped (parked at
  /// 0), and uses one tick of its slice. Every `ticksPerAccount` ticks, `account` runs. A vCPU
  /// whose slice is used up goes to the queue tail; then `reschedule`.
  public func tick() -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      for p in s.running.indices {
        guard let v = s.running[p] else { continue }
        let credit = max(s.vcpus[v]!.credit - s.config.creditsPerTick, -s.config.creditBound)
        s.vcpus[v]!.credit = credit
        if s.vcpus[v]!.priority == .boost || credit < 0 {
          s.vcpus[v]!.priority = credit >= 0 ? .under : .over
        }
        if s.vcpus[v]!.cap > 0 {
          s.vcpus[v]!.capBudget -= 100
          if s.vcpus[v]!.capBudget <= 0 { s.vcpus[v]!.parked = true }
        }
        s.sliceUsed[p] += 1
      }
      s.now += 1
      if s.now % s.config.ticksPerAccount == 0 { s.accountStep() }
      for p in s.running.indices {
        if let v = s.running[p], s.sliceUsed[p] >= s.config.ticksPerSlice {
          s.running[p] = nil
          s.sliceUsed[p] = 0
          s.runQueue.append(v)
        }
      }
      s.reschedule()
    }
  }

  /// The accounting step on its own (normally run by `tick`), followed by `reschedule`.
  public func account() -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      s.accountStep()
      s.reschedule()
    }
  }

  /// Wakes `v` (an event arrived). Conditions: `v` exists (ESRCH). Waking a vCPU that is not
  /// blocked succeeds and does nothing.
  public func wake(_ v: VCPUID) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      guard s.vcpus[v] != nil else { throw .ESRCH }
      s.wakeBlocked(v)
    }
  }

  /// `SCHEDOP_block`: the caller sleeps until an event arrives. Returns at once, changing
  /// nothing, if an unmasked event is already pending. Conditions: live caller (ESRCH).
  public func block(caller: VCPUID) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard !s.hasDeliverableEvent(d), !s.vcpus[caller]!.blocked else { return }
      s.vcpus[caller]!.blocked = true
      if let p = s.pcpu(of: caller) {
        s.running[p] = nil
        s.sliceUsed[p] = 0
      }
      s.runQueue.removeAll { $0 == caller }
      s.reschedule()
    }
  }

  /// `SCHEDOP_yield`: if the caller is running, it goes to the queue tail and the best vCPU runs
  /// (possibly the caller again). Conditions: live caller (ESRCH).
  public func yield(caller: VCPUID) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      _ = try s.callerDomain(caller)
      guard let p = s.pcpu(of: caller) else { return }
      s.running[p] = nil
      s.sliceUsed[p] = 0
      s.runQueue.append(caller)
      s.reschedule()
    }
  }

  /// `XEN_DOMCTL_SCHEDOP_putinfo` (weight): sets the weight of every vCPU of `target`.
  /// Conditions: privileged live caller (ESRCH, EPERM); `target` alive (ESRCH);
  /// `1 <= weight <= 65535` (EINVAL).
  public func setWeight(caller: VCPUID, target: DomID, weight: Int) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      try s.privilegedCaller(caller)
      guard s.liveDomain(target) != nil else { throw .ESRCH }
      guard (1...65535).contains(weight) else { throw .EINVAL }
      for v in s.vcpus(of: target) { s.vcpus[v]!.weight = weight }
    }
  }

  /// `XEN_DOMCTL_SCHEDOP_putinfo` (cap): caps every vCPU of `target` at `cap` percent of a
  /// pCPU (0 = uncapped), with a full budget. Conditions: privileged live caller (ESRCH,
  /// EPERM); `target` alive (ESRCH); `0 <= cap <= 100` (EINVAL).
  public func setCap(caller: VCPUID, target: DomID, cap: Int) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      try s.privilegedCaller(caller)
      guard s.liveDomain(target) != nil else { throw .ESRCH }
      guard (0...100).contains(cap) else { throw .EINVAL }
      for v in s.vcpus(of: target) {
        s.vcpus[v]!.cap = cap
        s.vcpus[v]!.capBudget = cap * s.config.ticksPerAccount
        s.vcpus[v]!.parked = false
      }
      s.reschedule()
    }
  }
}
