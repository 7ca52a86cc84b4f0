// The credit scheduler (Xen credit1), with one run queue per pCPU.
//
// Time advances in ticks (`config.tickMs`, 10 ms). At each tick the vCPU running on each pCPU
// pays `creditsPerTick`. Every `ticksPerAccount` ticks (30 ms) the pCPUs' worth of credit for
// that period is shared among the active vCPUs in proportion to their weights, but no vCPU
// earns more than it could spend (one pCPU, or its cap); what it cannot take goes to the others.
// A vCPU's priority follows its balance: UNDER while credit >= 0, OVER below. A vCPU woken from
// a block gets BOOST until its next tick, which is what makes I/O-bound guests responsive.
//
// Scheduling isolation means one domain cannot take more than its share (weights, caps) and
// cannot starve another: `creditBounds`, `capRespected`, `boundedWait` and the fairness property.
//
// Every vCPU has a home pCPU (`processor`). A vCPU that becomes runnable joins the tail of its
// home pCPU's queue. A pCPU looks at its own queue first, but takes (steals) a peer's vCPU when
// that one has a strictly higher priority than anything it has, as Xen's load balancer does;
// the taken vCPU's home becomes that pCPU. `candidate(for: p)` is that choice.
//
// Choosing who runs (`reschedule`), in order:
//   1. a running vCPU that may no longer run (blocked, paused, parked) leaves its pCPU;
//   2. each idle pCPU, in index order, takes its candidate;
//   3. while the candidate of the pCPU running the lowest priority (lowest index on ties) has a
//      strictly higher priority, it preempts; the preempted vCPU goes to that queue's tail.

extension SpecState {
  /// Whether `v` may be on a pCPU or in a run queue: alive, domain running, not blocked.
  public func isRunnable(_ v: VCPUID) -> Bool {
    guard let vc = vcpus[v], domains[v.domain]?.state == .running else { return false }
    return !vc.blocked
  }

  /// Whether `v` may be picked to run now: runnable and not parked by its cap.
  public func isSchedulable(_ v: VCPUID) -> Bool { isRunnable(v) && !vcpus[v]!.parked }

  /// The pCPU `v` is running on, if any.
  public func pcpu(of v: VCPUID) -> PCPU? { running.firstIndex(of: v) }

  /// Whether `v` is in some run queue.
  public func isQueued(_ v: VCPUID) -> Bool { runQueues.contains { $0.contains(v) } }

  /// The home pCPU a new vCPU starts with: spreads domains and their vCPUs over the pCPUs.
  func homePCPU(_ v: VCPUID) -> PCPU { (Int(v.domain.raw) + v.index) % config.pcpus }

  /// The queued vCPU pCPU `p` would take: the highest priority in any queue; among equals, the
  /// earliest in `p`'s own queue, then in its peers' queues in the order `p+1, p+2, ...`.
  public func candidate(for p: PCPU) -> VCPUID? {
    var best: VCPUID? = nil
    for k in 0..<config.pcpus {
      for v in runQueues[(p + k) % config.pcpus] where isSchedulable(v) {
        if best == nil || vcpus[v]!.priority > vcpus[best!]!.priority { best = v }
      }
    }
    return best
  }

  /// The queued vCPU pCPU 0 would take: one of the highest queued priority (`boundedWait`).
  public func bestQueued() -> VCPUID? { candidate(for: 0) }

  /// Puts runnable `v` at the tail of its home pCPU's queue.
  mutating func enqueue(_ v: VCPUID) { runQueues[vcpus[v]!.processor].append(v) }

  /// Takes `v` out of whichever queue holds it.
  mutating func dequeue(_ v: VCPUID) {
    for q in runQueues.indices { runQueues[q].removeAll { $0 == v } }
  }

  /// Runs queued `v` on idle pCPU `p` with a fresh slice; `p` becomes its home.
  mutating func dispatch(_ v: VCPUID, on p: PCPU) {
    dequeue(v)
    vcpus[v]!.processor = p
    running[p] = v
    sliceUsed[p] = 0
  }

  /// Makes pCPU `p` idle, queueing the vCPU that ran there if it is still runnable.
  mutating func vacate(_ p: PCPU) {
    guard let v = running[p] else { return }
    running[p] = nil
    sliceUsed[p] = 0
    if isRunnable(v) { enqueue(v) }
  }

  /// Puts the right vCPUs on the pCPUs (see the file comment for the three steps).
  mutating func reschedule() {
    for p in running.indices {
      if let v = running[p], !isSchedulable(v) { vacate(p) }
    }
    for p in running.indices where running[p] == nil {
      guard let c = candidate(for: p) else { break }
      dispatch(c, on: p)
    }
    while running.allSatisfy({ $0 != nil }) {
      let p = running.indices.min { vcpus[running[$0]!]!.priority < vcpus[running[$1]!]!.priority }!
      guard let c = candidate(for: p), vcpus[c]!.priority > vcpus[running[p]!]!.priority else { break }
      vacate(p)
      dispatch(c, on: p)
    }
  }

  /// Removes every vCPU of `d` from the pCPUs and the run queues.
  mutating func deschedule(domain d: DomID) {
    for p in running.indices where running[p]?.domain == d {
      running[p] = nil
      sliceUsed[p] = 0
    }
    for q in runQueues.indices { runQueues[q].removeAll { $0.domain == d } }
  }

  /// Unblocks `v` if it is blocked: UNDER becomes BOOST, and it joins its home queue if its
  /// domain runs.
  mutating func wakeBlocked(_ v: VCPUID) {
    guard vcpus[v]?.blocked == true else { return }
    vcpus[v]!.blocked = false
    if vcpus[v]!.priority == .under { vcpus[v]!.priority = .boost }
    if isRunnable(v) { enqueue(v) }
    reschedule()
  }

  /// The most credit `v` can spend in one period: one pCPU's worth, or its cap's worth.
  func creditLimit(_ v: VCPUID) -> Int {
    let cap = vcpus[v]!.cap
    return cap == 0 ? config.creditsPerAccount : cap * config.creditsPerAccount / 100
  }

  /// What each of `active` earns in one period: the pCPUs' credit shared by weight, except that
  /// a vCPU whose share reaches its `creditLimit` earns exactly the limit and the rest is shared
  /// again among the others (water-filling; Xen `csched_acct`'s `credit_peak`/`credit_cap`).
  /// Without it, on 2+ pCPUs a heavy vCPU's unspendable surplus would be lost and the others
  /// would all end up OVER, sharing round-robin instead of by weight.
  func earnings(_ active: [VCPUID]) -> [VCPUID: Int] {
    var earned: [VCPUID: Int] = [:]
    var open = active
    var left = config.creditsPerAccount * config.pcpus
    while !open.isEmpty {
      let sum = open.reduce(0) { $0 + vcpus[$1]!.weight }
      let limited = open.filter { left * vcpus[$0]!.weight / sum >= creditLimit($0) }
      if limited.isEmpty {
        for v in open { earned[v] = left * vcpus[v]!.weight / sum }  // remainder lost, as in Xen
        break
      }
      for v in limited {
        earned[v] = creditLimit(v)
        left -= creditLimit(v)
      }
      open.removeAll { limited.contains($0) }
    }
    return earned
  }

  /// The accounting step: shares one period of credit among active vCPUs (`earnings`), resets
  /// priorities from balances, and refills cap budgets.
  mutating func accountStep() {
    let active = vcpus.keys.filter { isRunnable($0) }.sorted()
    let earned = earnings(active)
    let bound = config.creditBound
    for v in active {
      let credit = min(max(vcpus[v]!.credit + earned[v]!, -bound), bound)
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
  /// whose slice is used up goes to the tail of its pCPU's queue; then `reschedule`.
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
        if s.sliceUsed[p] >= s.config.ticksPerSlice { s.vacate(p) }
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
      if let p = s.pcpu(of: caller) { s.vacate(p) }
      s.dequeue(caller)
      s.reschedule()
    }
  }

  /// `SCHEDOP_yield`: if the caller is running, it goes to its pCPU's queue tail and the best
  /// vCPU runs (possibly the caller again). Conditions: live caller (ESRCH).
  public func yield(caller: VCPUID) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      _ = try s.callerDomain(caller)
      guard let p = s.pcpu(of: caller) else { return }
      s.vacate(p)
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
