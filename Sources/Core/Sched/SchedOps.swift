// The guest-facing scheduler operations: wake (event delivery), SCHEDOP_block, SCHEDOP_yield.
// Each checks the Spec transition's conditions in the Spec's order, then applies; a refusal
// changes nothing.

extension Scheduler {
  /// The vCPU slot of `caller` if it is a vCPU of a live domain, else ESRCH
  /// (Spec `callerDomain`).
  @inline(__always) func callerSlot(_ caller: VCPUID) throws(HypercallError) -> Int {
    guard let s = slot(caller) else { throw .ESRCH }
    return s
  }

  /// Wakes `v`: an event arrived for it (Spec `wake`, Xen `vcpu_wake`).
  ///
  /// Conditions: `v` is a vCPU of a live domain (ESRCH). Waking a vCPU that is not blocked
  /// succeeds and changes nothing. Otherwise it is unblocked, UNDER becomes BOOST (OVER stays
  /// OVER), it joins its home queue's tail if its domain is unpaused, and the decision runs: a BOOST
  /// vCPU preempts any running UNDER/OVER vCPU at once. O(P).
  public mutating func wake(_ v: VCPUID) throws(HypercallError) {
    let s = try callerSlot(v)
    guard vcpus[s].blocked else { return }
    vcpus[s].blocked = false
    if vcpus[s].priority == .under { vcpus[s].priority = .boost }
    if isRunnable(s) { enqueue(s) }
    reschedule()
  }

  /// `SCHEDOP_block`: the caller sleeps until an event arrives (Spec `block`).
  ///
  /// Conditions: live caller (ESRCH). Returns at once, changing nothing, if `eventPending`
  /// (the caller's domain has an unmasked pending event: the Spec's `hasDeliverableEvent`,
  /// which the kernel reads from the event-channel state) or the caller is already blocked.
  /// Otherwise it leaves its pCPU or the queue and the decision runs. O(P).
  public mutating func block(caller: VCPUID, eventPending: Bool = false) throws(HypercallError) {
    let s = try callerSlot(caller)
    guard !eventPending, !vcpus[s].blocked else { return }
    vcpus[s].blocked = true
    if vcpus[s].pcpu >= 0 { vacate(vcpus[s].pcpu) }
    if queue.contains(s) { queue.remove(s) }
    reschedule()
  }

  /// `SCHEDOP_yield` (Spec `yield`): if the caller is running, it goes to its pCPU's queue tail and
  /// the best vCPU runs (possibly the caller again). Conditions: live caller (ESRCH). O(P).
  public mutating func yield(caller: VCPUID) throws(HypercallError) {
    let s = try callerSlot(caller)
    guard vcpus[s].pcpu >= 0 else { return }
    vacate(vcpus[s].pcpu)  // requeues it: it is still runnable
    reschedule()
  }
}
