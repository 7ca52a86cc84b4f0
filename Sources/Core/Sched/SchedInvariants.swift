// The Spec's scheduler invariants (Spec/SchedInvariants.swift), checked on the core's own
// state: same names, same content, plus `runQueueLinks` for the core's intrusive lists. They
// allocate and are O(vCPU slots): for tests, self-checks and debug kernels, not the hot path.

/// One broken scheduler invariant: its Spec name, what is wrong, and the slot or pCPU involved.
public struct SchedViolation: Sendable {
  /// The invariant's name, as in the Spec's `allInvariants` (or `runQueueLinks`, core-only).
  public var invariant: StaticString
  /// What is wrong.
  public var what: StaticString
  /// The vCPU slot or pCPU concerned.
  public var subject: Int
  public init(_ invariant: StaticString, _ what: StaticString, _ subject: Int) {
    self.invariant = invariant
    self.what = what
    self.subject = subject
  }
}

extension Scheduler {
  /// Every scheduler invariant, in the Spec's order, then the core's `runQueueLinks`.
  public func checkInvariants() -> [SchedViolation] {
    checkOnePerPCPU() + checkOnlyRunnableRun() + checkCreditBounds() + checkCapRespected()
      + checkBoundedWait() + checkRunQueueLinks()
  }

  /// `onePerPCPU`: no vCPU is on two pCPUs, none is both running and queued, none is queued
  /// twice; the per-pCPU arrays match `config.pcpus`; `SchedVCPU.pcpu` agrees with `running`;
  /// a running vCPU's `processor` is its pCPU, a queued one's is its queue.
  public func checkOnePerPCPU() -> [SchedViolation] {
    let n: StaticString = "onePerPCPU"
    var out: [SchedViolation] = []
    if running.count != config.pcpus || sliceUsed.count != config.pcpus || queue.queues != config.pcpus {
      out.append(SchedViolation(n, "pCPU arrays do not match config.pcpus", running.count))
      return out
    }
    for p in 0..<running.count where running[p] >= 0 {
      let s = running[p]
      if s >= vcpus.count || !vcpus[s].inUse { out.append(SchedViolation(n, "a free slot runs", p)); continue }
      if vcpus[s].pcpu != p { out.append(SchedViolation(n, "vCPU runs on two pCPUs (or its pcpu is stale)", s)) }
      if queue.contains(s) { out.append(SchedViolation(n, "vCPU both running and queued", s)) }
      if vcpus[s].processor != p { out.append(SchedViolation(n, "vCPU runs away from home", s)) }
    }
    for s in 0..<vcpus.count where vcpus[s].pcpu >= 0 {
      let p = vcpus[s].pcpu
      if p >= running.count || running[p] != s { out.append(SchedViolation(n, "pcpu field names a pCPU it is not on", s)) }
    }
    var seen = 0
    for q in 0..<queue.queues {
      var s = queue.first(q)
      while s >= 0 && seen <= vcpus.count {
        seen += 1
        if queue.queue(of: s) != q || vcpus[s].processor != q {
          out.append(SchedViolation(n, "vCPU queued away from home", s))
        }
        s = queue.after(s)
      }
    }
    if seen != queue.count { out.append(SchedViolation(n, "queue has duplicates or a cycle", seen)) }
    return out
  }

  /// `onlyRunnableRun`: running vCPUs are schedulable (alive, domain running, not blocked, not
  /// parked); queued vCPUs are runnable; every runnable vCPU is running or queued; no vCPU
  /// has IDLE priority.
  public func checkOnlyRunnableRun() -> [SchedViolation] {
    let n: StaticString = "onlyRunnableRun"
    var out: [SchedViolation] = []
    for p in 0..<running.count where running[p] >= 0 && running[p] < vcpus.count && !isSchedulable(running[p]) {
      out.append(SchedViolation(n, "vCPU runs but is not schedulable", running[p]))
    }
    for s in 0..<vcpus.count {
      if queue.contains(s) && !isRunnable(s) { out.append(SchedViolation(n, "vCPU queued but not runnable", s)) }
      if isRunnable(s) && vcpus[s].pcpu < 0 && !queue.contains(s) { out.append(SchedViolation(n, "vCPU is lost", s)) }
      if vcpus[s].inUse && vcpus[s].priority == .idle { out.append(SchedViolation(n, "vCPU has IDLE priority", s)) }
    }
    return out
  }

  /// `creditBounds`: every credit is within `-creditBound...creditBound` and every weight
  /// within 1...65535.
  public func checkCreditBounds() -> [SchedViolation] {
    let n: StaticString = "creditBounds"
    let b = config.creditBound
    var out: [SchedViolation] = []
    for s in 0..<vcpus.count where vcpus[s].inUse {
      if vcpus[s].credit < -b || vcpus[s].credit > b { out.append(SchedViolation(n, "credit out of bounds", s)) }
      if vcpus[s].weight < 1 || vcpus[s].weight > 65535 { out.append(SchedViolation(n, "weight out of range", s)) }
    }
    return out
  }

  /// `capRespected`: caps within 0...100; an uncapped vCPU is never parked and has no budget;
  /// a capped vCPU's budget is within `-99...cap*ticksPerAccount` and it is parked exactly
  /// when the budget is used up.
  public func checkCapRespected() -> [SchedViolation] {
    let n: StaticString = "capRespected"
    var out: [SchedViolation] = []
    for s in 0..<vcpus.count where vcpus[s].inUse {
      let v = vcpus[s]
      if v.cap < 0 || v.cap > 100 { out.append(SchedViolation(n, "cap out of range", s)) }
      if v.cap == 0 {
        if v.parked || v.capBudget != 0 { out.append(SchedViolation(n, "uncapped vCPU parked or budgeted", s)) }
      } else {
        if v.capBudget < -99 || v.capBudget > v.cap * config.ticksPerAccount {
          out.append(SchedViolation(n, "budget out of range", s))
        }
        if v.parked != (v.capBudget <= 0) { out.append(SchedViolation(n, "parked disagrees with budget", s)) }
      }
    }
    return out
  }

  /// `boundedWait`: work-conserving and priority-respecting (no idle pCPU and no lower-priority
  /// running vCPU while a schedulable vCPU is queued), and no slice overrun.
  public func checkBoundedWait() -> [SchedViolation] {
    let n: StaticString = "boundedWait"
    var out: [SchedViolation] = []
    let c = candidate(for: 0)
    if c >= 0 {
      for p in 0..<running.count {
        if running[p] < 0 {
          out.append(SchedViolation(n, "pCPU idle while a vCPU waits", p))
        } else if vcpus[running[p]].priority < vcpus[c].priority {
          out.append(SchedViolation(n, "higher-priority vCPU waits behind a running one", p))
        }
      }
    }
    for p in 0..<sliceUsed.count {
      if sliceUsed[p] >= config.ticksPerSlice || (running[p] < 0 && sliceUsed[p] != 0) {
        out.append(SchedViolation(n, "slice counter out of range", p))
      }
    }
    return out
  }

  /// `runQueueLinks` (core-only): in every queue, the level lists hold exactly the queued,
  /// non-parked vCPUs, each on its priority's list, in arrival order; so `RunQueue.best(q)` is
  /// the first vCPU of the highest priority in queue q, as the Spec's `candidate` reads it.
  public func checkRunQueueLinks() -> [SchedViolation] {
    let n: StaticString = "runQueueLinks"
    var out: [SchedViolation] = []
    var rank = [Int](repeating: -1, count: vcpus.count)
    for q in 0..<queue.queues {
      // Reference: the best of queue q by a scan of its arrival list.
      var expectBest = -1
      var onLevels = 0
      var r = 0
      var s = queue.first(q)
      while s >= 0 && r <= vcpus.count {
        rank[s] = r
        r += 1
        let want = vcpus[s].parked ? -1 : Int(vcpus[s].priority.rawValue)
        if Int(queue.levelOf[s]) != want { out.append(SchedViolation(n, "queued vCPU on the wrong level list", s)) }
        if want >= 0 { onLevels += 1 }
        if isSchedulable(s) && (expectBest < 0 || vcpus[s].priority > vcpus[expectBest].priority) { expectBest = s }
        s = queue.after(s)
      }
      if queue.best(q) != expectBest { out.append(SchedViolation(n, "best(q) differs from a scan of queue q", q)) }
      // Each level list, walked forward, is in arrival order and has the right members.
      var listed = 0
      for l in 0..<RunQueue.levels {
        var x = Int(queue.levelHead[q * RunQueue.levels + l])
        var last = -1
        var steps = 0
        while x >= 0 && steps <= vcpus.count {
          steps += 1
          listed += 1
          if queue.queue(of: x) != q || rank[x] <= last || Int(queue.levelOf[x]) != l {
            out.append(SchedViolation(n, "level list out of order", x))
          }
          last = rank[x]
          x = Int(queue.levelNext[x])
        }
      }
      if listed != onLevels { out.append(SchedViolation(n, "level lists and arrival list disagree", q)) }
    }
    return out
  }
}
