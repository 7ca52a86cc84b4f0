/// sched_op, set_timer_op, vcpu_op (timers).
enum SchedOps {
  static let maxPollPorts: UInt64 = 128

  static func schedOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    switch a.a1 {
    case XenOp.schedYield:
      try? Machine.sched.yield(caller: v.id)
      return 0
    case XenOp.schedBlock:
      // Xen: enable event delivery, then block only if nothing is pending.
      v.upcallMask = false
      if !v.upcallPending { v.blocked = true }
      try? Machine.sched.block(caller: v.id, eventPending: v.upcallPending)
      return 0
    case XenOp.schedShutdown:
      guard let reason = GuestCopy.readU32(v, a.a2) else { return Hypercalls.fail(.EFAULT) }
      shutdown(v.domain, reason: UInt64(reason))
      return 0
    case XenOp.schedPoll:
      // sched_poll { ports handle, nr_ports u32, timeout u64 }
      guard let ports = GuestCopy.readU64(v, a.a2), let n = GuestCopy.readU32(v, a.a2 + 8),
        let timeout = GuestCopy.readU64(v, a.a2 + 16)
      else { return Hypercalls.fail(.EFAULT) }
      guard UInt64(n) <= maxPollPorts else { return Hypercalls.fail(.EINVAL) }
      var list: [UInt32] = []
      for i in 0..<UInt64(n) {
        guard let p = GuestCopy.readU32(v, ports &+ i * 4) else { return Hypercalls.fail(.EFAULT) }
        guard Events.channels.binding(v.domain.id, p) != nil else { return Hypercalls.fail(.EINVAL) }
        if Events.isPending(v.domain, port: p) { return 0 }
        list.append(p)
      }
      if timeout != 0 && timeout <= Timers.now() { return 0 }
      v.pollPorts = list
      v.pollDeadline = timeout
      v.blocked = true
      try? Machine.sched.block(caller: v.id, eventPending: false)
      return 0
    default:
      return Hypercalls.fail(.ENOSYS)
    }
  }

  static func shutdown(_ d: Domain, reason: UInt64) {
    let what: StaticString
    switch reason {
    case XenOp.shutdownPoweroff: what = "poweroff"
    case XenOp.shutdownReboot: what = "reboot"
    case XenOp.shutdownCrash: what = "crash"
    default: what = "other"
    }
    if !d.consoleLine.isEmpty { d.flushConsole() }
    Console.write("[info] domain ")
    Console.write(bytes: d.name)
    Console.write(": shutdown (")
    Console.write(what)
    Console.write(")\n")
    GuestFaults.end(d, .shutdown(reason: reason))
  }

  /// set_timer_op(timeout): a single-shot VIRQ_TIMER at absolute system time `timeout` (ns);
  /// 0 cancels.
  static func setTimerOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    v.timerDeadline = a.a1
    return 0
  }

  static let vcpuIsUp: UInt64 = 3

  static func vcpuOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    if a.a1 == vcpuIsUp {
      guard a.a2 < UInt64(v.domain.vcpus.count) else { return Hypercalls.fail(.ENOENT) }
      return a.a2 == 0 || !v.domain.vcpus[Int(a.a2)].blocked ? 1 : 0
    }
    guard a.a2 == UInt64(v.index) else { return Hypercalls.fail(.EINVAL) }
    switch a.a1 {
    case XenOp.vcpuSetSingleshotTimer:
      // vcpu_set_singleshot_timer { timeout_abs_ns u64, flags u32 }; flag 1: must be future.
      guard let deadline = GuestCopy.readU64(v, a.a3), let flags = GuestCopy.readU32(v, a.a3 + 8) else {
        return Hypercalls.fail(.EFAULT)
      }
      if flags & 1 != 0 && deadline < Timers.now() { return -62 }   // -ETIME
      v.timerDeadline = max(deadline, 1)
      return 0
    case XenOp.vcpuStopSingleshotTimer:
      v.timerDeadline = 0
      return 0
    default:
      return Hypercalls.fail(.ENOSYS)
    }
  }
}
