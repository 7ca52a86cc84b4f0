/// sched_op: give up the CPU, wait for events, or end the domain.
import GuestArch

/// Why the domain stops (SHUTDOWN_* in sched.h).
enum ShutdownReason: UInt32 {
  /// Stop for good. On Xen, dom0 powering off halts the machine (it does not turn it off).
  case poweroff = 0
  /// Restart. On Xen, dom0 rebooting resets the machine; QEMU with -no-reboot then exits.
  case reboot = 1
  /// Suspend (save) the domain.
  case suspend = 2
  /// The guest crashed.
  case crash = 3
  /// A watchdog fired.
  case watchdog = 4
}

enum Sched {
  static let yieldOp: UInt64 = 0, blockOp: UInt64 = 1, shutdownOp: UInt64 = 2, pollOp: UInt64 = 3

  /// SCHEDOP_yield: let another vCPU run; returns when this one is scheduled again.
  static func yield() { _ = Hypercall.raw(.schedOp, yieldOp, 0) }

  /// SCHEDOP_block: sleep until an event is pending. Unmasks event delivery atomically, so the
  /// caller must have a callback installed (set_callbacks) or events will be lost.
  static func block() { _ = Hypercall.raw(.schedOp, blockOp, 0) }

  /// SCHEDOP_shutdown with `reason`. Flushes the console first; never returns.
  static func shutdown(_ reason: ShutdownReason) -> Never {
    Console.flush()
    var arg = xen_sched_shutdown(reason: reason.rawValue)
    withUnsafeMutablePointer(to: &arg) { p in
      _ = Hypercall.raw(.schedOp, shutdownOp, UInt64(UInt(bitPattern: p)))
    }
    // The hypervisor does not return from a successful shutdown. If it did, spin politely.
    while true { yield() }
  }

  /// SCHEDOP_poll: sleep until one of `ports` is pending or `timeoutNs` (absolute system time;
  /// 0 = none) passes. Works with event delivery masked, unlike `block`.
  static func poll(_ ports: [UInt32], timeoutNs: UInt64 = 0) throws(XenError) {
    var list = ports
    try list.withUnsafeMutableBufferPointer { (buf) throws(XenError) in
      var arg = xen_sched_poll(
        ports: UInt64(UInt(bitPattern: buf.baseAddress)), nr_ports: UInt32(buf.count), timeout: timeoutNs)
      try Hypercall.withArgument(&arg) { (p) throws(XenError) in _ = try Hypercall.call(.schedOp, pollOp, p) }
    }
  }
}
