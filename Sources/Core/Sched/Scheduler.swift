// The credit scheduler (Xen credit1), core half. The reference is Spec/Scheduler.swift; every
// operation here has the Spec transition's name, checks its conditions in the Spec's order,
// returns the same errno, and leaves the same vCPU running on every pCPU.
//
// Storage, all allocated in `init` and never grown (nothing allocates on any operation):
//
//   domains[ds]                 one record per domain slot (maxDomains)
//   slotOf[domid]               domain id -> domain slot, 65536 x UInt16 (128 KiB)
//   usedIDs                     one bit per domain id ever created (ids are never reused)
//   vcpus[ds * V + i]           vCPU i of the domain in slot ds (V = maxVCPUsPerDomain)
//   queue                       one RunQueue per pCPU over the vCPU slots (see RunQueue.swift)
//   earned                      accounting scratch: this period's earnings per vCPU slot
//   running[p], sliceUsed[p]    per pCPU: the vCPU slot running (-1 idle), ticks of its slice
//
// Cost of a scheduling decision: `RunQueue.best(q)` is O(1) (three list heads); a pCPU's
// `candidate` reads every queue's best, O(P) (P = pCPUs), as Xen's load balancer scans its
// peers; `reschedule` is O(P) per vCPU it places (the preemption victim is the lowest-priority
// running vCPU). So a decision is O(P): O(1) for a fixed machine and independent of the number
// of vCPUs. A tick is O(P), except every `ticksPerAccount`-th, which also runs accounting:
// O(vCPU slots x rounds), where rounds is 1 + the number of vCPUs limited to one pCPU or their
// cap that period (at most P + capped vCPUs; see `accountStep`). See docs/scheduler.md and the
// benchmark in docs/benchmarks.md.

/// The credit scheduler's state and operations.
public struct Scheduler: Sendable {
  /// "No domain slot" in `slotOf`.
  static let noSlot: UInt16 = 0xFFFF

  /// The timings and sizes it was built with.
  public let config: SchedulerConfig
  /// Domain records by slot.
  var domains: [SchedDomain]
  /// Domain slot of each domain id, or `noSlot`.
  var slotOf: [UInt16]
  /// Bit `id` is set once domain id `id` has been created.
  var usedIDs: [UInt64]
  /// vCPU records by slot (`domainSlot * maxVCPUsPerDomain + index`).
  public internal(set) var vcpus: [SchedVCPU]
  /// The run queues, one per pCPU.
  public internal(set) var queue: RunQueue
  /// Accounting scratch: what each vCPU slot earns this period (-1: not yet decided).
  var earned: [Int]
  /// The vCPU slot running on each pCPU, -1 when the pCPU is idle.
  public internal(set) var running: [Int]
  /// Ticks the running vCPU has used of its current slice, per pCPU.
  public internal(set) var sliceUsed: [Int]
  /// Ticks since boot.
  public internal(set) var now: Int = 0

  /// Boots the scheduler: dom0 (privileged, running) with `config.dom0VCPUs` vCPUs, queued in
  /// index order and placed on the pCPUs, as in `SpecState.init`.
  /// Precondition: `config.isValid`.
  public init(config: SchedulerConfig = SchedulerConfig()) {
    precondition(config.isValid, "SchedulerConfig out of range")
    self.config = config
    domains = [SchedDomain](repeating: SchedDomain(), count: config.maxDomains)
    slotOf = [UInt16](repeating: Self.noSlot, count: 65536)
    usedIDs = [UInt64](repeating: 0, count: 65536 / 64)
    vcpus = [SchedVCPU](repeating: SchedVCPU(id: VCPUID(.dom0, 0)), count: config.vcpuCapacity)
    queue = RunQueue(queues: config.pcpus, capacity: config.vcpuCapacity)
    earned = [Int](repeating: 0, count: config.vcpuCapacity)
    running = [Int](repeating: -1, count: config.pcpus)
    sliceUsed = [Int](repeating: 0, count: config.pcpus)
    addDomain(.dom0, slot: 0, vcpus: config.dom0VCPUs, privileged: true)
    domains[0].paused = false
    for i in 0..<config.dom0VCPUs { enqueue(i) }
    reschedule()
  }

  // MARK: - Lookups

  /// The domain slot of live domain `d`, or nil.
  @inline(__always) func slot(_ d: DomID) -> Int? {
    let s = slotOf[Int(d.raw)]
    return s == Self.noSlot ? nil : Int(s)
  }

  /// The vCPU slot of `v`, or nil if `v` is not a vCPU of a live domain.
  @inline(__always) public func slot(_ v: VCPUID) -> Int? {
    guard let ds = slot(v.domain), v.index >= 0, v.index < domains[ds].vcpuCount else { return nil }
    return ds * config.maxVCPUsPerDomain + v.index
  }

  /// The domain slot of vCPU slot `s`.
  @inline(__always) func domainSlot(ofVCPU s: Int) -> Int { s / config.maxVCPUsPerDomain }

  /// Whether domain id `d` was ever created (Spec: `domains[d] != nil`).
  func wasUsed(_ d: DomID) -> Bool { usedIDs[Int(d.raw) >> 6] & (1 << UInt64(d.raw & 63)) != 0 }

  /// The scheduler record of `v`, or nil.
  public func vcpu(_ v: VCPUID) -> SchedVCPU? { slot(v).map { vcpus[$0] } }

  /// The vCPU running on pCPU `p`, or nil when it is idle. This is how the kernel learns what
  /// to run after any scheduler operation.
  @inline(__always) public func current(pcpu p: Int) -> VCPUID? {
    let s = running[p]
    return s < 0 ? nil : vcpus[s].id
  }

  /// The pCPU `v` runs on, or nil.
  public func pcpu(of v: VCPUID) -> Int? {
    guard let s = slot(v), vcpus[s].pcpu >= 0 else { return nil }
    return vcpus[s].pcpu
  }

  /// Whether slot `s` may be on a pCPU or queued (Spec `isRunnable`): in use, domain unpaused,
  /// not blocked.
  @inline(__always) func isRunnable(_ s: Int) -> Bool {
    vcpus[s].inUse && !vcpus[s].blocked && !domains[domainSlot(ofVCPU: s)].paused
  }

  /// Whether slot `s` may be picked now (Spec `isSchedulable`): runnable and not parked.
  @inline(__always) func isSchedulable(_ s: Int) -> Bool { isRunnable(s) && !vcpus[s].parked }

  /// Whether `v` is runnable (Spec `isRunnable`).
  public func isRunnable(_ v: VCPUID) -> Bool { slot(v).map { isRunnable($0) } ?? false }

  /// The queued vCPU pCPU `p` would take (Spec `candidate`): the highest priority in any
  /// queue; among equals, the earliest in `p`'s own queue, then its peers' in the order
  /// `p+1, p+2, ...`. Returns a slot or -1. O(P).
  func candidate(for p: Int) -> Int {
    let pcpus = running.count
    var best = -1
    var k = 0
    while k < pcpus {
      let c = queue.best((p + k) % pcpus)
      if c >= 0 && (best < 0 || vcpus[c].priority > vcpus[best].priority) {
        best = c
        if vcpus[c].priority == .boost { break }  // nothing ranks higher
      }
      k += 1
    }
    return best
  }

  /// The queued vCPU pCPU 0 would take (Spec `bestQueued`), or nil. O(P).
  public func bestQueued() -> VCPUID? {
    let s = candidate(for: 0)
    return s < 0 ? nil : vcpus[s].id
  }

  /// Whether live domain `d` is paused, or nil if `d` is not alive.
  public func isPaused(_ d: DomID) -> Bool? { slot(d).map { domains[$0].paused } }

  /// Whether `v` is queued.
  public func isQueued(_ v: VCPUID) -> Bool { slot(v).map { queue.contains($0) } ?? false }

  // MARK: - Run-queue and pCPU moves (all O(1))

  /// Queues slot `s` at the tail of its home pCPU's queue (on its priority's level list
  /// unless it is parked) (Spec `enqueue`).
  @inline(__always) mutating func enqueue(_ s: Int) {
    queue.append(s, queue: vcpus[s].processor, level: vcpus[s].parked ? -1 : Int(vcpus[s].priority.rawValue))
  }

  /// Runs queued slot `s` on idle pCPU `p` with a fresh slice; `p` becomes its home
  /// (Spec `dispatch`).
  @inline(__always) mutating func dispatch(_ s: Int, on p: Int) {
    queue.remove(s)
    running[p] = s
    sliceUsed[p] = 0
    vcpus[s].pcpu = p
    vcpus[s].processor = p
  }

  /// Makes pCPU `p` idle, queueing the slot that ran there if it is still runnable
  /// (Spec `vacate`).
  @inline(__always) mutating func vacate(_ p: Int) {
    let s = idle(p)
    if s >= 0 && isRunnable(s) { enqueue(s) }
  }

  /// Makes pCPU `p` idle and returns the slot that ran there (-1 if none), queueing nothing.
  @inline(__always) mutating func idle(_ p: Int) -> Int {
    let s = running[p]
    if s >= 0 { vcpus[s].pcpu = -1 }
    running[p] = -1
    sliceUsed[p] = 0
    return s
  }

  // MARK: - The decision

  /// Puts the right vCPUs on the pCPUs (Spec `reschedule`), in the Spec's three steps:
  /// 1. a running vCPU that may no longer run leaves its pCPU (to its queue if runnable);
  /// 2. each idle pCPU, in index order, takes its candidate;
  /// 3. while the candidate of the pCPU running the lowest priority (lowest index on ties) has
  ///    a strictly higher priority, it preempts; the preempted vCPU goes to that queue's tail.
  mutating func reschedule() {
    let pcpus = running.count
    for p in 0..<pcpus {
      let s = running[p]
      if s >= 0 && !isSchedulable(s) { vacate(p) }
    }
    var idle = false
    for p in 0..<pcpus where running[p] < 0 {
      let c = candidate(for: p)
      if c < 0 {
        idle = true
        break
      }
      dispatch(c, on: p)
    }
    // With an idle pCPU nothing is queued that could run, so there is nothing to preempt for.
    while !idle {
      var victim = 0
      for p in 1..<pcpus where vcpus[running[p]].priority < vcpus[running[victim]].priority { victim = p }
      let c = candidate(for: victim)
      guard c >= 0 && vcpus[c].priority > vcpus[running[victim]].priority else { break }
      vacate(victim)
      dispatch(c, on: victim)
    }
  }

  /// Takes every vCPU of domain slot `ds` off the pCPUs and the queue (Spec `deschedule`).
  /// O(P + vCPUs of the domain).
  mutating func deschedule(domainSlot ds: Int) {
    let base = ds * config.maxVCPUsPerDomain
    for p in 0..<running.count where running[p] >= 0 && domainSlot(ofVCPU: running[p]) == ds {
      _ = idle(p)  // Spec `deschedule`: off the pCPU, not requeued
    }
    for i in 0..<domains[ds].vcpuCount where queue.contains(base + i) { queue.remove(base + i) }
  }

  /// Fills domain slot `ds` with a paused domain `d` of `count` fresh vCPUs and marks the id used.
  mutating func addDomain(_ d: DomID, slot ds: Int, vcpus count: Int, privileged: Bool) {
    domains[ds] = SchedDomain(id: d, inUse: true, privileged: privileged, paused: true, vcpuCount: count)
    slotOf[Int(d.raw)] = UInt16(truncatingIfNeeded: ds)
    usedIDs[Int(d.raw) >> 6] |= 1 << UInt64(d.raw & 63)
    let base = ds * config.maxVCPUsPerDomain
    for i in 0..<count {
      var v = SchedVCPU(id: VCPUID(d, i))
      v.inUse = true
      v.weight = config.defaultWeight
      v.processor = (Int(d.raw) + i) % config.pcpus  // Spec `homePCPU`
      vcpus[base + i] = v
    }
  }
}
