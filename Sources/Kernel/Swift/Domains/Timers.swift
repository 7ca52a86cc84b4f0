import KernelArch

/// System time (nanoseconds since boot, from the TSC) and the PV timers built on it:
/// set_timer_op / VCPUOP_set_singleshot_timer deadlines, SCHEDOP_poll timeouts, and each
/// vCPU's vcpu_time_info so guests can read the time without a hypercall.
enum Timers {
  nonisolated(unsafe) static var bootTSC: UInt64 = 0

  /// Nanoseconds since `bootTSC`.
  static func now() -> UInt64 {
    let hz = max(Timer.tscPerSecond, 1)
    let delta = arch_rdtsc() &- bootTSC
    // Split so nothing overflows for any TSC below 18 GHz (no 128-bit division here).
    return (delta / hz) &* 1_000_000_000 &+ (delta % hz) * 1_000_000_000 / hz
  }

  /// Fires due timers: VIRQ_TIMER for expired deadlines, wake-ups for expired polls.
  static func fire() {
    let t = now()
    for d in Machine.domains where d.isAlive {
      for v in d.vcpus {
        if v.timerDeadline != 0 && t >= v.timerDeadline {
          v.timerDeadline = 0
          Events.raiseVirq(d, XenOp.virqTimer)
          if v.blocked && v.pollPorts.isEmpty { Events.wake(v) }
        }
        if v.blocked && v.pollDeadline != 0 && t >= v.pollDeadline { Events.wake(v) }
      }
      updateTime(d, now: t)
    }
  }

  /// vcpu_time_info (at vcpu_info + 32): version (odd while updating), tsc_timestamp,
  /// system_time, tsc_to_system_mul, tsc_shift. ns = ((tsc - tsc_timestamp) << shift) * mul >> 32.
  static func updateTime(_ d: Domain, now t: UInt64) {
    let hz = max(Timer.tscPerSecond, 1)
    var shift: Int8 = 0
    var ratioHz = hz
    while ratioHz < 1_000_000_000 { ratioHz <<= 1; shift -= 1 }   // mul must stay below 2^32
    let mul = UInt32(truncatingIfNeeded: (UInt64(1_000_000_000) << 32) / ratioHz)
    let tsc = arch_rdtsc()
    for v in d.vcpus {
      let p = v.vcpuInfo.advanced(by: 32)
      let version = p.load(as: UInt32.self)
      p.storeBytes(of: version | 1, as: UInt32.self)
      p.storeBytes(of: tsc, toByteOffset: 8, as: UInt64.self)
      p.storeBytes(of: t, toByteOffset: 16, as: UInt64.self)
      p.storeBytes(of: mul, toByteOffset: 24, as: UInt32.self)
      p.storeBytes(of: -shift, toByteOffset: 28, as: Int8.self)
      p.storeBytes(of: (version | 1) &+ 1, as: UInt32.self)
    }
  }
}
