// What the kernel needs beyond the hypercalls: marking its own frames, holding references on
// pages it shares with a guest, and reading a vCPU's root. None of these is reachable from a
// guest; the Spec has no counterpart (its hypervisor frames are a prefix, and it shares no page).

extension MemoryManager {
  /// Marks a free frame as the hypervisor's (image, heap, page tables, the frame table itself,
  /// firmware holes). Call before any domain gets memory. Returns false if it was not free.
  @discardableResult
  public mutating func markHypervisor(_ mfn: MFN) -> Bool {
    guard exists(mfn.raw), record(mfn.raw).ownerKind == .free else { return false }
    frames[record: Int(mfn.raw)] = .hypervisor
    freeCount -= 1
    return true
  }

  /// The hypervisor takes a general reference on `mfn`, a frame of `domain` it shares with it
  /// (Xen `share_xen_page_with_guest`): the frame cannot be given back while held (EBUSY from
  /// decrease_reservation), and its owner may still map it, writable too.
  /// Errors: `domain` not alive (ESRCH); frame not owned by it (EINVAL).
  public mutating func hypervisorGetPage(_ mfn: MFN, for domain: DomID) throws(HypercallError) {
    guard let s = slot(domain) else { throw .ESRCH }
    try checkOwned(mfn.raw, by: domain.raw)
    getPage(mfn.raw)
    domains[s]!.hypervisorRefs.append(mfn.raw)
  }

  /// Drops a reference taken by `hypervisorGetPage` (no effect if none is held).
  public mutating func hypervisorPutPage(_ mfn: MFN, for domain: DomID) {
    guard let s = slot(domain), let k = domains[s]!.hypervisorRefs.firstIndex(of: mfn.raw) else { return }
    domains[s]!.hypervisorRefs.remove(at: k)
    putPage(mfn.raw)
  }

  /// The L4 frame in `vcpu`'s CR3, nil before its first `new_baseptr` or if it does not exist.
  public func root(of vcpu: VCPUID) -> MFN? {
    guard let s = slot(vcpu.domain), vcpu.index >= 0, vcpu.index < domains[s]!.vcpuCount else { return nil }
    let c = domains[s]!.cr3[vcpu.index]
    return c == noFrame ? nil : MFN(c)
  }
}
