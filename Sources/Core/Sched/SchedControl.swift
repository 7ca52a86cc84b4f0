// Control-domain operations: scheduler parameters (XEN_DOMCTL_SCHEDOP_putinfo) and the
// scheduler's side of the domain lifecycle (create, destroy, pause, unpause).
//
// The memory manager does the memory side of create/destroy (MM/Domains.swift). Both check the
// Spec's conditions in the Spec's order; the kernel runs them as described in
// docs/scheduler.md ("Kernel integration") so that a refusal by either changes nothing.

extension Scheduler {
  /// Checks that `caller` is a live vCPU (ESRCH) of a privileged domain (EPERM)
  /// (Spec `privilegedCaller`).
  func privilegedCaller(_ caller: VCPUID) throws(HypercallError) {
    let s = try callerSlot(caller)
    guard domains[domainSlot(ofVCPU: s)].privileged else { throw .EPERM }
  }

  /// The slot of live domain `target`, else ESRCH.
  func liveDomain(_ target: DomID) throws(HypercallError) -> Int {
    guard let ds = slot(target) else { throw .ESRCH }
    return ds
  }

  /// `XEN_DOMCTL_SCHEDOP_putinfo` (weight): sets the weight of every vCPU of `target`
  /// (Spec `setWeight`). Conditions: privileged live caller (ESRCH, EPERM); `target` alive
  /// (ESRCH); `1 <= weight <= 65535` (EINVAL). Takes effect at the next accounting.
  public mutating func setWeight(caller: VCPUID, target: DomID, weight: Int) throws(HypercallError) {
    try privilegedCaller(caller)
    let ds = try liveDomain(target)
    guard weight >= 1 && weight <= 65535 else { throw .EINVAL }
    let base = ds * config.maxVCPUsPerDomain
    for i in 0..<domains[ds].vcpuCount { vcpus[base + i].weight = weight }
  }

  /// `XEN_DOMCTL_SCHEDOP_putinfo` (cap): caps every vCPU of `target` at `cap` percent of a
  /// pCPU (0 = uncapped) with a full budget, unparking them (Spec `setCap`). Conditions:
  /// privileged live caller (ESRCH, EPERM); `target` alive (ESRCH); `0 <= cap <= 100` (EINVAL).
  public mutating func setCap(caller: VCPUID, target: DomID, cap: Int) throws(HypercallError) {
    try privilegedCaller(caller)
    let ds = try liveDomain(target)
    guard cap >= 0 && cap <= 100 else { throw .EINVAL }
    let base = ds * config.maxVCPUsPerDomain
    var unparkedQueued = false
    for i in 0..<domains[ds].vcpuCount {
      let s = base + i
      if vcpus[s].parked && queue.contains(s) { unparkedQueued = true }
      vcpus[s].cap = cap
      vcpus[s].capBudget = cap * config.ticksPerAccount
      vcpus[s].parked = false
    }
    // An unparked queued vCPU must rejoin its level list at its arrival position.
    if unparkedQueued { queue.relevel(vcpus) }
    reschedule()
  }

  /// The scheduler's conditions of `XEN_DOMCTL_createdomain`, without changing anything
  /// (Spec `domainCreate` minus `maxPages`, which is the memory manager's): privileged live
  /// caller (ESRCH, EPERM); the id was never used (EEXIST); `1...maxVCPUsPerDomain` vCPUs
  /// (EINVAL). Core-only: no free domain slot is ENOMEM. Returns the slot to use.
  public func checkDomainCreate(caller: VCPUID, domain: DomID, vcpus count: Int) throws(HypercallError) -> Int {
    try privilegedCaller(caller)
    guard !wasUsed(domain) else { throw .EEXIST }
    guard count >= 1 && count <= config.maxVCPUsPerDomain else { throw .EINVAL }
    var ds = 0
    while ds < domains.count && domains[ds].inUse { ds += 1 }
    guard ds < domains.count else { throw .ENOMEM }
    return ds
  }

  /// `XEN_DOMCTL_createdomain`, scheduler side: adds `domain`, paused, with `count` vCPUs of
  /// default weight, uncapped, UNDER, zero credit (Spec `domainCreate`). Conditions: as
  /// `checkDomainCreate`. O(maxDomains + count).
  public mutating func domainCreate(caller: VCPUID, domain: DomID, vcpus count: Int) throws(HypercallError) {
    let ds = try checkDomainCreate(caller: caller, domain: domain, vcpus: count)
    addDomain(domain, slot: ds, vcpus: count, privileged: false)
  }

  /// `XEN_DOMCTL_destroydomain`, scheduler side: removes `target`'s vCPUs from the pCPUs, the
  /// queue and the tables, frees its slot (its id stays used) and runs the decision.
  /// Conditions (Spec `domainDestroy`, minus the memory manager's EBUSY): privileged live
  /// caller (ESRCH, EPERM); `target` alive (ESRCH) and not the caller's domain (EINVAL).
  public mutating func domainDestroy(caller: VCPUID, target: DomID) throws(HypercallError) {
    try privilegedCaller(caller)
    let ds = try liveDomain(target)
    guard target != caller.domain else { throw .EINVAL }
    deschedule(domainSlot: ds)
    let base = ds * config.maxVCPUsPerDomain
    for i in 0..<domains[ds].vcpuCount { vcpus[base + i] = SchedVCPU(id: VCPUID(target, i)) }
    domains[ds] = SchedDomain()
    slotOf[Int(target.raw)] = Self.noSlot
    reschedule()
  }

  /// `XEN_DOMCTL_pausedomain` (Spec `domainPause`): takes `target`'s vCPUs off the pCPUs and
  /// the queue. Conditions: privileged live caller (ESRCH, EPERM); `target` alive (ESRCH).
  public mutating func domainPause(caller: VCPUID, target: DomID) throws(HypercallError) {
    try privilegedCaller(caller)
    let ds = try liveDomain(target)
    domains[ds].paused = true
    deschedule(domainSlot: ds)
    reschedule()
  }

  /// `XEN_DOMCTL_unpausedomain` (Spec `domainUnpause`): queues `target`'s non-blocked vCPUs in
  /// index order and runs the decision; nothing if it is not paused. Conditions: privileged
  /// live caller (ESRCH, EPERM); `target` alive (ESRCH).
  public mutating func domainUnpause(caller: VCPUID, target: DomID) throws(HypercallError) {
    try privilegedCaller(caller)
    let ds = try liveDomain(target)
    guard domains[ds].paused else { return }
    domains[ds].paused = false
    let base = ds * config.maxVCPUsPerDomain
    for i in 0..<domains[ds].vcpuCount where !vcpus[base + i].blocked { enqueue(base + i) }
    reschedule()
  }
}
