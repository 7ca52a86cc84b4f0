// Domain lifecycle: create, pause, unpause, destroy. All are control-domain operations.

extension SpecState {
  /// Checks that `caller` is a live vCPU of a privileged domain (ESRCH, then EPERM).
  func privilegedCaller(_ caller: VCPUID) throws(XenErrno) {
    guard try callerDomain(caller).privileged else { throw .EPERM }
  }

  /// `XEN_DOMCTL_createdomain`: creates `domain`, paused, with no memory.
  ///
  /// Conditions, in order:
  /// 1. the caller is a live vCPU (ESRCH) of a privileged domain (EPERM);
  /// 2. the id was never used (EEXIST; `Rule.noDomainIdReuse`);
  /// 3. `1 <= vcpus <= config.maxVCPUsPerDomain` and `maxPages >= 0` (EINVAL).
  public func domainCreate(
    caller: VCPUID, domain: DomID, maxPages: Int, vcpus count: Int
  ) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      try s.privilegedCaller(caller)
      guard s.domains[domain] == nil else { throw .EEXIST }
      guard (1...s.config.maxVCPUsPerDomain).contains(count), maxPages >= 0 else {
        throw .EINVAL
      }
      s.domains[domain] = Domain(
        id: domain, maxPages: maxPages, privileged: false, state: .paused, vcpuCount: count)
      s.grantTables[domain] = GrantTable()
      s.grantMappings[domain] = [:]
      s.ports[domain] = [:]
      for i in 0..<count {
        let v = VCPUID(domain, i)
        s.vcpus[v] = VCPU(weight: s.config.defaultWeight, processor: s.homePCPU(v))
      }
    }
  }

  /// `XEN_DOMCTL_unpausedomain`: lets `target`'s non-blocked vCPUs be scheduled.
  /// Conditions: privileged live caller (ESRCH, EPERM); `target` alive (ESRCH).
  public func domainUnpause(caller: VCPUID, target: DomID) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      try s.privilegedCaller(caller)
      guard let dom = s.liveDomain(target) else { throw .ESRCH }
      guard dom.state == .paused else { return }
      s.domains[target]!.state = .running
      for v in s.vcpus(of: target) where !s.vcpus[v]!.blocked { s.enqueue(v) }
      s.reschedule()
    }
  }

  /// `XEN_DOMCTL_pausedomain`: takes `target`'s vCPUs off the pCPUs and the run queue.
  /// Conditions: privileged live caller (ESRCH, EPERM); `target` alive (ESRCH).
  public func domainPause(caller: VCPUID, target: DomID) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      try s.privilegedCaller(caller)
      guard s.liveDomain(target) != nil else { throw .ESRCH }
      s.domains[target]!.state = .paused
      s.deschedule(domain: target)
      s.reschedule()
    }
  }

  /// `XEN_DOMCTL_destroydomain`: tears `target` down in one step.
  ///
  /// Conditions, in order:
  /// 1. privileged live caller (ESRCH, EPERM);
  /// 2. `target` alive (ESRCH) and not the caller's own domain (EINVAL);
  /// 3. `Rule.grantOutlivesItsUsers`: no other domain holds a grant mapping of one of
  ///    `target`'s frames (EBUSY). Xen would let the domain linger as a zombie until the
  ///    mapper unmaps; the model makes the control domain get the backends to unmap first.
  ///
  /// Effect: the references `target` holds on other domains' frames (its grant mappings and the
  /// L1 entries that use them) are released; every frame it owns is scrubbed and freed; its
  /// vCPUs, grant table and ports are removed, and the peers of its interdomain channels become
  /// unbound; the record stays, `.dead`, so the id is never reused.
  public func domainDestroy(caller: VCPUID, target: DomID) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      try s.privilegedCaller(caller)
      guard s.liveDomain(target) != nil else { throw .ESRCH }
      guard target != caller.domain else { throw .EINVAL }
      for (grantee, maps) in s.grantMappings where grantee != target {
        if maps.values.contains(where: { $0.granter == target }) { throw .EBUSY }
      }

      let owned = s.ownedFrames(target)
      // 1. L1 entries of `target` that map granted (foreign) frames.
      for mfn in owned where s.frame(mfn).type == .l1 && s.frame(mfn).typeCount > 0 {
        for (_, e) in (s.contents[mfn] ?? [:]).sorted(by: { $0.key < $1.key })
        where PTE.isPresent(e) && s.frame(PTE.frame(e)).owner != .domain(target) {
          s.putEntryReferences(e, at: .l1)
        }
      }
      // 2. Its grant mappings.
      for (_, m) in (s.grantMappings[target] ?? [:]).sorted(by: { $0.key < $1.key }) {
        s.releaseGrantMapping(m)
      }
      // 3. Its own frames: every remaining reference to them is its own, so just wipe them.
      for mfn in owned { s.scrubAndFree(mfn) }
      // 4. Event channels: peers become unbound (they can never be rebound: the id is dead).
      for (_, ch) in s.ports[target] ?? [:] {
        if case .interdomain(let r, let rp) = ch.binding, r != target, s.ports[r]?[rp] != nil {
          s.ports[r]![rp]!.binding = .unbound(remote: target)
        }
      }
      // 5. Scheduler, grant table, ports, vCPUs, record.
      s.deschedule(domain: target)
      for v in s.vcpus(of: target) { s.vcpus[v] = nil }
      s.grantTables[target] = nil
      s.grantMappings[target] = nil
      s.ports[target] = nil
      s.domains[target]!.allocation = 0
      s.domains[target]!.state = .dead
      s.reschedule()
    }
  }
}
