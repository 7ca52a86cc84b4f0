/// Timers: set_timer_op and the vcpu_op single-shot timer. Both fire VIRQ_TIMER; bind it with
/// `EventChannel.bindVIRQ(.timer)` and wait with `Sched.poll`.
import GuestArch

enum Timer {
  /// set_timer_op: one-shot timer at absolute system time `deadlineNs` (0 cancels).
  static func setTimer(deadlineNs: UInt64) throws(XenError) {
    _ = try Hypercall.call(.setTimerOp, deadlineNs)
  }

  /// VCPUOP_set_singleshot_timer on `vcpu` at `deadlineNs`; `future` (VCPU_SSHOTTMR_future)
  /// makes Xen refuse a deadline already past with ETIME instead of firing at once.
  static func setSingleShot(vcpu: UInt32 = 0, deadlineNs: UInt64, future: Bool = false) throws(XenError) {
    var arg = xen_vcpu_set_singleshot_timer(timeout_abs_ns: deadlineNs, flags: future ? 1 : 0)
    try Hypercall.withArgument(&arg) { (p) throws(XenError) in
      _ = try Hypercall.call(.vcpuOp, UInt64(XEN_VCPUOP_set_singleshot_timer), UInt64(vcpu), p)
    }
  }

  /// VCPUOP_stop_singleshot_timer.
  static func stopSingleShot(vcpu: UInt32 = 0) throws(XenError) {
    _ = try Hypercall.call(.vcpuOp, UInt64(XEN_VCPUOP_stop_singleshot_timer), UInt64(vcpu), 0)
  }

  /// VCPUOP_stop_periodic_timer: Xen starts PV vCPUs with a 10 ms periodic tick; a tickless
  /// guest stops it.
  static func stopPeriodic(vcpu: UInt32 = 0) throws(XenError) {
    _ = try Hypercall.call(.vcpuOp, UInt64(XEN_VCPUOP_stop_periodic_timer), UInt64(vcpu), 0)
  }

  /// VCPUOP_is_up: whether `vcpu` is running.
  static func isUp(vcpu: UInt32) throws(XenError) -> Bool {
    try Hypercall.call(.vcpuOp, UInt64(XEN_VCPUOP_is_up), UInt64(vcpu), 0) != 0
  }
}
