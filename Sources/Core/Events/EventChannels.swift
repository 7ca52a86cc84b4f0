/// Event-channel bindings: which port of which domain is connected to what (Xen's
/// `struct evtchn` without the pending and mask bits, which live in each domain's
/// shared_info page, written by the guest and by the kernel).
///
/// Operations follow the Spec's evtchn transitions (Spec/EventChannels.swift) condition by
/// condition and return the same errnos. Storage is fixed per domain (`portsPerDomain`),
/// allocated when the domain is registered, so no operation allocates.
public struct EventChannels: Sendable {
  /// What one port is connected to.
  public enum Binding: Equatable, Sendable {
    case free
    /// Allocated, waiting for `remote` to bind to it.
    case unbound(remote: DomID)
    /// Connected to `remotePort` of `remote`.
    case interdomain(remote: DomID, remotePort: UInt32)
    /// Receives virtual IRQ `virq` from the hypervisor.
    case virq(UInt32)
  }

  public let portsPerDomain: Int
  public let virqCount: UInt32
  var table: [DomID: [Binding]] = [:]

  public init(portsPerDomain: Int = 64, virqCount: UInt32 = 24) {
    self.portsPerDomain = portsPerDomain
    self.virqCount = virqCount
  }

  /// A domain comes to life with every port free (port 0 is never handed out).
  public mutating func register(_ d: DomID) {
    table[d] = [Binding](repeating: .free, count: portsPerDomain)
  }

  /// A domain dies: its ports close, and each interdomain peer becomes unbound (Xen).
  public mutating func unregister(_ d: DomID) {
    guard let ports = table[d] else { return }
    for b in ports {
      if case .interdomain(let r, let rp) = b, table[r] != nil, Int(rp) < portsPerDomain {
        table[r]![Int(rp)] = .unbound(remote: d)
      }
    }
    table[d] = nil
  }

  public func binding(_ d: DomID, _ port: UInt32) -> Binding? {
    guard let ports = table[d], port > 0, Int(port) < ports.count, ports[Int(port)] != .free else { return nil }
    return ports[Int(port)]
  }

  func freePort(_ d: DomID) throws(HypercallError) -> UInt32 {
    let ports = table[d]!
    for p in 1..<ports.count where ports[p] == .free { return UInt32(p) }
    throw .ENOSPC
  }

  func live(_ d: DomID) throws(HypercallError) {
    guard table[d] != nil else { throw .ESRCH }
  }

  /// `EVTCHNOP_alloc_unbound`: live caller (ESRCH); live remote (ESRCH); a free port (ENOSPC).
  public mutating func allocUnbound(caller d: DomID, remote: DomID) throws(HypercallError) -> UInt32 {
    try live(d)
    try live(remote)
    let p = try freePort(d)
    table[d]![Int(p)] = .unbound(remote: remote)
    return p
  }

  /// `EVTCHNOP_bind_interdomain`: live caller (ESRCH); live remote (ESRCH); the remote port is
  /// unbound for the caller (EINVAL); a free local port (ENOSPC).
  public mutating func bindInterdomain(caller d: DomID, remote: DomID, remotePort: UInt32) throws(HypercallError) -> UInt32 {
    try live(d)
    try live(remote)
    guard binding(remote, remotePort) == .unbound(remote: d) else { throw .EINVAL }
    let p = try freePort(d)
    table[d]![Int(p)] = .interdomain(remote: remote, remotePort: remotePort)
    table[remote]![Int(remotePort)] = .interdomain(remote: d, remotePort: p)
    return p
  }

  /// `EVTCHNOP_bind_virq`: live caller (ESRCH); virq in range (EINVAL); not yet bound (EEXIST);
  /// a free port (ENOSPC).
  public mutating func bindVirq(caller d: DomID, virq: UInt32) throws(HypercallError) -> UInt32 {
    try live(d)
    guard virq < virqCount else { throw .EINVAL }
    guard !table[d]!.contains(.virq(virq)) else { throw .EEXIST }
    let p = try freePort(d)
    table[d]![Int(p)] = .virq(virq)
    return p
  }

  /// `EVTCHNOP_send`: live caller (ESRCH); the port exists (EINVAL) and is not a VIRQ port
  /// (EINVAL). Returns the port to mark pending, or nil when the port is unbound (dropped).
  public func send(caller d: DomID, port: UInt32) throws(HypercallError) -> (DomID, UInt32)? {
    try live(d)
    guard let b = binding(d, port) else { throw .EINVAL }
    switch b {
    case .virq, .free: throw .EINVAL
    case .unbound: return nil
    case .interdomain(let r, let rp): return (r, rp)
    }
  }

  /// The port of `d` bound to `virq`, if any (the hypervisor raising a VIRQ).
  public func virqPort(_ d: DomID, virq: UInt32) -> UInt32? {
    guard let ports = table[d], let p = ports.firstIndex(of: .virq(virq)) else { return nil }
    return UInt32(p)
  }

  /// `EVTCHNOP_close`: live caller (ESRCH); the port exists (EINVAL). An interdomain peer
  /// becomes unbound for the caller.
  public mutating func close(caller d: DomID, port: UInt32) throws(HypercallError) {
    try live(d)
    guard let b = binding(d, port) else { throw .EINVAL }
    table[d]![Int(port)] = .free
    if case .interdomain(let r, let rp) = b, table[r] != nil, Int(rp) < portsPerDomain {
      table[r]![Int(rp)] = .unbound(remote: d)
    }
  }

  /// `EVTCHNOP_unmask` precondition: live caller (ESRCH); the port exists (EINVAL).
  public func checkPort(caller d: DomID, port: UInt32) throws(HypercallError) {
    try live(d)
    guard binding(d, port) != nil else { throw .EINVAL }
  }

  /// `eventChannelConsistency`: every interdomain port's peer points back at it.
  public func checkConsistency() -> Bool {
    for (d, ports) in table {
      for (p, b) in ports.enumerated() {
        if case .interdomain(let r, let rp) = b {
          guard let peer = binding(r, rp), peer == .interdomain(remote: d, remotePort: UInt32(p)) else { return false }
        }
      }
    }
    return true
  }
}
