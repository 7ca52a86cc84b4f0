// Event channels: the PV interrupt. A port is local to a domain; an interdomain channel is a
// pair of ports that point at each other.
//
// Isolation here means: a domain can signal another only over a channel both agreed to (the
// remote allocated an unbound port naming the caller, the caller bound to it), and a domain can
// only touch its own ports. `eventChannelConsistency` checks that every interdomain port's peer
// points back at it.

extension SpecState {
  /// The lowest free port of `d` (port 0 is never used), or ENOSPC.
  func freePort(_ d: DomID) throws(XenErrno) -> Port {
    let used = ports[d] ?? [:]
    for p in 1..<UInt32(config.maxPorts) where used[Port(p)] == nil { return Port(p) }
    throw .ENOSPC
  }

  /// Marks port `p` of `d` pending and, if it is not masked, wakes `d`'s vCPU 0 (Xen
  /// `evtchn_set_pending` notifies the port's bound vCPU; the model binds all ports to vCPU 0).
  mutating func setPending(_ d: DomID, _ p: Port) {
    ports[d]![p]!.pending = true
    if !ports[d]![p]!.masked { wakeBlocked(VCPUID(d, 0)) }
  }

  /// `EVTCHNOP_alloc_unbound`: allocates a port of the caller that `remote` may bind to.
  /// Conditions: live caller (ESRCH); `remote` alive (ESRCH); a free port (ENOSPC).
  public func evtchnAllocUnbound(caller: VCPUID, remote: DomID) -> Transition<Port> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard s.liveDomain(remote) != nil else { throw .ESRCH }
      let p = try s.freePort(d)
      s.ports[d]![p] = EventChannel(binding: .unbound(remote: remote))
      return p
    }
  }

  /// `EVTCHNOP_bind_interdomain`: connects a new port of the caller to `remotePort` of `remote`.
  /// Conditions, in order: live caller (ESRCH); `remote` alive (ESRCH); `remotePort` exists and
  /// is unbound *for the caller* (EINVAL: a domain cannot bind to a port offered to someone
  /// else); a free local port (ENOSPC).
  public func evtchnBindInterdomain(
    caller: VCPUID, remote: DomID, remotePort: Port
  ) -> Transition<Port> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard s.liveDomain(remote) != nil else { throw .ESRCH }
      guard s.ports[remote]?[remotePort]?.binding == .unbound(remote: d) else { throw .EINVAL }
      let p = try s.freePort(d)
      s.ports[d]![p] = EventChannel(binding: .interdomain(remote: remote, remotePort: remotePort))
      s.ports[remote]![remotePort]!.binding = .interdomain(remote: d, remotePort: p)
      return p
    }
  }

  /// `EVTCHNOP_bind_virq`: binds virtual IRQ `virq` of the caller to a new port.
  /// Conditions: live caller (ESRCH); `virq < config.virqCount` (EINVAL); not already bound by
  /// the caller (EEXIST); a free port (ENOSPC).
  public func evtchnBindVirq(caller: VCPUID, virq: UInt32) -> Transition<Port> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard virq < UInt32(s.config.virqCount) else { throw .EINVAL }
      guard !s.ports[d]!.values.contains(where: { $0.binding == .virq(virq) }) else {
        throw .EEXIST
      }
      let p = try s.freePort(d)
      s.ports[d]![p] = EventChannel(binding: .virq(virq))
      return p
    }
  }

  /// `EVTCHNOP_send`: signals the other end of an interdomain port.
  /// Conditions: live caller (ESRCH); the port exists (EINVAL) and is not a VIRQ port (EINVAL).
  /// Sending on an unbound port succeeds and does nothing (Xen drops it silently).
  public func evtchnSend(caller: VCPUID, port: Port) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard let ch = s.ports[d]![port] else { throw .EINVAL }
      switch ch.binding {
      case .virq: throw .EINVAL
      case .unbound: return
      case .interdomain(let r, let rp): s.setPending(r, rp)
      }
    }
  }

  /// The hypervisor raising virtual IRQ `virq` for domain `d` (timer, console, ...). Not a
  /// hypercall. Conditions: `d` alive (ESRCH). No effect if `d` has not bound `virq`.
  public func raiseVirq(_ d: DomID, virq: UInt32) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      guard s.liveDomain(d) != nil else { throw .ESRCH }
      if let p = s.ports[d]!.first(where: { $0.value.binding == .virq(virq) })?.key {
        s.setPending(d, p)
      }
    }
  }

  /// `EVTCHNOP_close`: frees a port of the caller; an interdomain peer becomes unbound for the
  /// caller (it may bind again later). Conditions: live caller (ESRCH); the port exists (EINVAL).
  public func evtchnClose(caller: VCPUID, port: Port) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard let ch = s.ports[d]![port] else { throw .EINVAL }
      s.ports[d]![port] = nil
      if case .interdomain(let r, let rp) = ch.binding, s.ports[r]?[rp] != nil {
        s.ports[r]![rp]!.binding = .unbound(remote: d)
      }
    }
  }

  /// The guest setting a port's mask bit in its shared-info page. Not a hypercall.
  /// Conditions: live caller (ESRCH); the port exists (EINVAL).
  public func evtchnMask(caller: VCPUID, port: Port) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard s.ports[d]![port] != nil else { throw .EINVAL }
      s.ports[d]![port]!.masked = true
    }
  }

  /// `EVTCHNOP_unmask`: clears the mask; an event that arrived while masked now wakes the vCPU.
  /// Conditions: live caller (ESRCH); the port exists (EINVAL).
  public func evtchnUnmask(caller: VCPUID, port: Port) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard let ch = s.ports[d]![port] else { throw .EINVAL }
      s.ports[d]![port]!.masked = false
      if ch.pending { s.wakeBlocked(VCPUID(d, 0)) }
    }
  }

  /// Whether `d` has a pending, unmasked event (SCHEDOP_block then returns at once).
  public func hasDeliverableEvent(_ d: DomID) -> Bool {
    (ports[d] ?? [:]).values.contains { $0.pending && !$0.masked }
  }
}
