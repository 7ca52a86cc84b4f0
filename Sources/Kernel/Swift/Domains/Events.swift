import KernelArch

/// Event delivery through shared_info, as Xen does it: a pending bit per port, a selector
/// bit per word, the vCPU's upcall-pending flag, and an upcall (a bounce to the guest's event
/// callback) when the guest has not masked events.
enum Events {
  nonisolated(unsafe) static var channels = EventChannels(portsPerDomain: 64)

  /// Offsets in shared_info (xen/xen.h, x86-64).
  static let pendingOffset = 2048
  static let maskOffset = 2560

  /// Marks `port` of `d` pending (evtchn_set_pending) and wakes a vCPU waiting for it.
  static func setPending(_ d: Domain, port: UInt32) {
    guard port < 512 else { return }
    let word = Int(port / 64), bit = UInt64(1) << UInt64(port % 64)
    let s = d.sharedInfo
    let pending = s.load(fromByteOffset: pendingOffset + word * 8, as: UInt64.self)
    if pending & bit != 0 { return }
    s.storeBytes(of: pending | bit, toByteOffset: pendingOffset + word * 8, as: UInt64.self)
    let v = d.vcpus[0]
    // A poller waits for a particular port even while it is masked (SCHEDOP_poll).
    if v.blocked && v.pollPorts.contains(port) { wake(v) }
    let mask = s.load(fromByteOffset: maskOffset + word * 8, as: UInt64.self)
    if mask & bit != 0 { return }
    raiseUpcall(v, word: word, wakePoller: false)
  }

  /// Sets the selector bit of `word` and the vCPU's upcall-pending flag, and wakes it if it
  /// blocked waiting for any event (a poller waits for its own ports, unless `wakePoller`).
  static func raiseUpcall(_ v: VCPU, word: Int, wakePoller: Bool) {
    let sel = v.vcpuInfo.load(fromByteOffset: 8, as: UInt64.self)
    v.vcpuInfo.storeBytes(of: sel | (UInt64(1) << UInt64(word)), toByteOffset: 8, as: UInt64.self)
    v.upcallPending = true
    if v.blocked && (wakePoller || v.pollPorts.isEmpty) { wake(v) }
  }

  /// EVTCHNOP_unmask: clears the mask bit and, if the port is pending, raises the upcall.
  static func unmask(_ d: Domain, port: UInt32) {
    guard port < 512 else { return }
    let word = Int(port / 64), bit = UInt64(1) << UInt64(port % 64)
    let s = d.sharedInfo
    let mask = s.load(fromByteOffset: maskOffset + word * 8, as: UInt64.self)
    s.storeBytes(of: mask & ~bit, toByteOffset: maskOffset + word * 8, as: UInt64.self)
    let pending = s.load(fromByteOffset: pendingOffset + word * 8, as: UInt64.self)
    if pending & bit != 0 { raiseUpcall(d.vcpus[0], word: word, wakePoller: true) }
  }

  static func isPending(_ d: Domain, port: UInt32) -> Bool {
    guard port < 512 else { return false }
    let word = Int(port / 64), bit = UInt64(1) << UInt64(port % 64)
    return d.sharedInfo.load(fromByteOffset: pendingOffset + word * 8, as: UInt64.self) & bit != 0
  }

  static func raiseVirq(_ d: Domain, _ virq: UInt32) {
    if let p = channels.virqPort(d.id, virq: virq) { setPending(d, port: p) }
  }

  static func wake(_ v: VCPU) {
    v.blocked = false
    v.pollPorts.removeAll()
    v.pollDeadline = 0
    try? Machine.sched.wake(v.id)   // BOOST: a woken vCPU preempts at the next decision
  }
}

extension Run {
  /// Before returning to a guest: if it has an unmasked pending upcall and an event callback,
  /// bounce it into the callback with events masked (Xen's test_all_events).
  static func deliverEvents(_ v: VCPU, frame: UnsafeMutablePointer<TrapFrame>) {
    guard v.upcallPending, !v.upcallMask, v.eventCallback != 0 else { return }
    let none: UInt64? = nil
    if !Bounce.toGuest(v, frame, handler: v.eventCallback, errorCode: none, maskEvents: true) {
      GuestFaults.crash(v.domain, "event upcall: guest stack not writable")
    }
  }
}
