/// Event channels: allocate, bind, send, unmask and close ports (EVTCHNOP_*).
///
/// Delivery state lives in shared_info (`SharedInfo.isPending`, `.mask`, ...); these are the
/// hypercalls. A port is a plain UInt32, as in Xen.
import GuestArch

enum EventChannel {
  /// Domain id meaning "the caller" (DOMID_SELF).
  static let selfDomain = UInt16(XEN_DOMID_SELF)

  private static func op<T>(_ cmd: Int32, _ arg: inout T) throws(XenError) {
    try Hypercall.withArgument(&arg) { (p) throws(XenError) in
      _ = try Hypercall.call(.eventChannelOp, UInt64(cmd), p)
    }
  }

  /// EVTCHNOP_alloc_unbound: a new port that `remote` may later bind to.
  static func allocUnbound(remote: UInt16) throws(XenError) -> UInt32 {
    var a = xen_evtchn_alloc_unbound(dom: selfDomain, remote_dom: remote, port: 0)
    try op(XEN_EVTCHNOP_alloc_unbound, &a)
    return a.port
  }

  /// EVTCHNOP_bind_interdomain: connects a new local port to `remotePort` of `remote`
  /// (which must be unbound and allocated for us).
  static func bindInterdomain(remote: UInt16, remotePort: UInt32) throws(XenError) -> UInt32 {
    var a = xen_evtchn_bind_interdomain(remote_dom: remote, remote_port: remotePort, local_port: 0)
    try op(XEN_EVTCHNOP_bind_interdomain, &a)
    return a.local_port
  }

  /// Virtual IRQs (VIRQ_* in xen.h).
  enum VIRQ: UInt32 {
    case timer = 0, debug = 1, console = 2, domExc = 3
  }

  /// EVTCHNOP_bind_virq: a port that fires on `virq` for `vcpu`.
  static func bindVIRQ(_ virq: VIRQ, vcpu: UInt32 = 0) throws(XenError) -> UInt32 {
    var a = xen_evtchn_bind_virq(virq: virq.rawValue, vcpu: vcpu, port: 0)
    try op(XEN_EVTCHNOP_bind_virq, &a)
    return a.port
  }

  /// EVTCHNOP_send: raises the event at the other end of `port` (or at `port` itself for a loopback).
  static func send(_ port: UInt32) throws(XenError) {
    var a = xen_evtchn_port(port: port)
    try op(XEN_EVTCHNOP_send, &a)
  }

  /// EVTCHNOP_unmask: clears `port`'s mask bit and re-delivers a pending event.
  static func unmask(_ port: UInt32) throws(XenError) {
    var a = xen_evtchn_port(port: port)
    try op(XEN_EVTCHNOP_unmask, &a)
  }

  /// EVTCHNOP_close: frees `port` (and disconnects the peer).
  static func close(_ port: UInt32) throws(XenError) {
    var a = xen_evtchn_port(port: port)
    try op(XEN_EVTCHNOP_close, &a)
  }
}
