// Time: the tick and credit accounting (Spec `tick`, `account`, `accountStep`).
//
// Every credit, priority and cap-budget change goes through the proved decision functions of
// Decision/CreditArithmetic.swift at W = UInt64 (credits and budgets are signed, carried as
// two's-complement bit patterns), so the Z3 obligations cover exactly this arithmetic.

extension Scheduler {
  /// One timer tick on every pCPU (Spec `tick`). Never refused.
  ///
  /// Each running vCPU pays `creditsPerTick` (clamped at `-creditBound`), loses BOOST, drops to
  /// OVER if its balance went negative, pays 100 percent-ticks of cap budget if capped (parked
  /// at <= 0), and uses one tick of its slice. Every `ticksPerAccount`-th tick runs accounting.
  /// A vCPU whose slice is used up goes to the queue tail; then the decision (`reschedule`).
  ///
  /// Cost: O(P), plus O(vCPU slots) on an accounting tick.
  public mutating func tick() {
    let perTick = UInt64(truncatingIfNeeded: config.creditsPerTick)
    let bound = UInt64(truncatingIfNeeded: config.creditBound)
    for p in 0..<running.count {
      let s = running[p]
      guard s >= 0 else { continue }
      let v = vcpus[s]
      let credit = creditAfterTick(
        credit: UInt64(bitPattern: Int64(v.credit)), creditsPerTick: perTick, creditBound: bound)
      let priority = priorityAfterTick(priority: v.priority.word, credit: credit)
      let cap = UInt64(truncatingIfNeeded: v.cap)
      let budget = capBudgetAfterTick(capBudget: UInt64(bitPattern: Int64(v.capBudget)), cap: cap)
      let parked = parkedAfterTick(parked: v.parked, capBudget: budget, cap: cap)
      vcpus[s].credit = Int(Int64(bitPattern: credit))
      vcpus[s].priority = SchedPriority(decision: priority)
      vcpus[s].capBudget = Int(Int64(bitPattern: budget))
      vcpus[s].parked = parked
      sliceUsed[p] += 1
    }
    now += 1
    if now % config.ticksPerAccount == 0 { accountStep() }
    for p in 0..<running.count where running[p] >= 0 && sliceUsed[p] >= config.ticksPerSlice {
      vacate(p)  // to the tail of its queue
    }
    reschedule()
  }

  /// The accounting step on its own (Spec `account`), then the decision. Never refused.
  public mutating func account() {
    accountStep()
    reschedule()
  }

  /// The most credit slot `s` can spend in one period (Spec `creditLimit`): one pCPU's worth,
  /// or its cap's worth.
  @inline(__always) func limitOf(_ s: Int) -> Int {
    Int(truncatingIfNeeded: creditLimit(
      cap: UInt64(truncatingIfNeeded: vcpus[s].cap), creditsPerAccount: UInt64(truncatingIfNeeded: config.creditsPerAccount)))
  }

  /// Slot `s`'s part of `left` credits shared among weights totalling `sum` (Spec `earnings`).
  @inline(__always) func shareOf(_ s: Int, left: Int, sum: Int) -> Int {
    Int(truncatingIfNeeded: creditShare(
      left: UInt64(truncatingIfNeeded: left), weight: UInt64(truncatingIfNeeded: vcpus[s].weight),
      sum: UInt64(truncatingIfNeeded: sum)))
  }

  /// Fills `earned[s]` for every active slot with the Spec's `earnings` (through the proved
  /// `creditShare` and `creditLimit` of Decision/CreditArithmetic.swift): the pCPUs' credit
  /// shared by weight, a vCPU whose share reaches its `creditLimit` earning exactly the limit
  /// and the rest shared again among the others. Each round walks the active slots once and
  /// either settles every remaining one or limits at least one, so there are at most
  /// 1 + (limited vCPUs) rounds; without caps at most P vCPUs can be limited (each takes a
  /// whole pCPU's worth). Active (runnable) slots start open (-1), the others get 0.
  /// Allocation-free (`earned` is preallocated).
  mutating func computeEarnings() {
    var left = config.creditsPerAccount * config.pcpus
    var sum = 0
    for s in 0..<earned.count {
      earned[s] = isRunnable(s) ? -1 : 0
      if earned[s] < 0 { sum += vcpus[s].weight }
    }
    while sum > 0 {
      // Limit every open vCPU whose share reaches its limit, against this round's left/sum.
      var limitedLeft = left
      var limitedSum = sum
      for s in 0..<earned.count where earned[s] < 0 {
        let limit = limitOf(s)
        if shareOf(s, left: left, sum: sum) >= limit {
          earned[s] = limit
          limitedLeft -= limit
          limitedSum -= vcpus[s].weight
        }
      }
      if limitedSum == sum {
        for s in 0..<earned.count where earned[s] < 0 { earned[s] = shareOf(s, left: left, sum: sum) }
        return
      }
      left = limitedLeft
      sum = limitedSum
    }
  }

  /// Shares one period of credit among the runnable vCPUs (`computeEarnings`), resets their
  /// priorities from their balances, refills every capped vCPU's budget, and rebuilds the run
  /// queues' level lists (queued vCPUs changed priority and parked state).
  /// O(vCPU slots x rounds) (see `computeEarnings`).
  mutating func accountStep() {
    computeEarnings()
    let bound = UInt64(truncatingIfNeeded: config.creditBound)
    for s in 0..<vcpus.count where vcpus[s].inUse {
      var v = vcpus[s]
      if isRunnable(s) {
        let credit = creditAfterAccounting(
          credit: UInt64(bitPattern: Int64(v.credit)),
          earned: UInt64(truncatingIfNeeded: earned[s]), creditBound: bound)
        v.credit = Int(Int64(bitPattern: credit))
        v.priority = SchedPriority(decision: priorityAfterAccounting(credit: credit))
      }
      let cap = UInt64(truncatingIfNeeded: v.cap)
      let full = UInt64(truncatingIfNeeded: v.cap * config.ticksPerAccount)
      let budget = capBudgetAfterAccounting(
        capBudget: UInt64(bitPattern: Int64(v.capBudget)), cap: cap, full: full)
      v.capBudget = Int(Int64(bitPattern: budget))
      v.parked = parkedAfterAccounting(parked: v.parked, capBudget: budget, cap: cap)
      vcpus[s] = v
    }
    queue.relevel(vcpus)
  }
}
