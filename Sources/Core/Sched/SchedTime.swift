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
      enqueue(vacate(p))
    }
    reschedule()
  }

  /// The accounting step on its own (Spec `account`), then the decision. Never refused.
  public mutating func account() {
    accountStep()
    reschedule()
  }

  /// Shares one period of credit among the runnable vCPUs by weight, resets their priorities
  /// from their balances, refills every capped vCPU's budget, and rebuilds the run queue's
  /// level lists (queued vCPUs changed priority and parked state). O(vCPU slots), walked
  /// domain by domain (a vCPU is runnable iff its domain is unpaused and it is not blocked).
  mutating func accountStep() {
    let perDomain = config.maxVCPUsPerDomain
    var sumWeights = 0
    for ds in 0..<domains.count where domains[ds].inUse && !domains[ds].paused {
      let base = ds * perDomain
      for s in base..<(base + domains[ds].vcpuCount) where !vcpus[s].blocked { sumWeights += vcpus[s].weight }
    }
    let total = config.creditsPerAccount * config.pcpus
    let bound = UInt64(truncatingIfNeeded: config.creditBound)
    for ds in 0..<domains.count where domains[ds].inUse {
      let unpaused = !domains[ds].paused
      let base = ds * perDomain
      for s in base..<(base + domains[ds].vcpuCount) {
        var v = vcpus[s]
        if unpaused && !v.blocked {
          // Remainder is lost, as in Xen. sumWeights > 0: this vCPU's weight (>= 1) is in it.
          let earned = total * v.weight / sumWeights
          let credit = creditAfterAccounting(
            credit: UInt64(bitPattern: Int64(v.credit)),
            earned: UInt64(truncatingIfNeeded: earned), creditBound: bound)
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
    }
    queue.relevel(vcpus)
  }
}
