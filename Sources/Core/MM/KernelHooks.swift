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
    let t = record(mfn.raw).type
    guard t == DecisionPageType.none || t == DecisionPageType.writable else { throw .EBUSY }
    getPage(mfn.raw)
    frames[record: Int(mfn.raw)].sharedWithHypervisor = true
    domains[s]!.hypervisorRefs.append(mfn.raw)
  }

  /// Drops a reference taken by `hypervisorGetPage` (no effect if none is held).
  public mutating func hypervisorPutPage(_ mfn: MFN, for domain: DomID) {
    guard let s = slot(domain), let k = domains[s]!.hypervisorRefs.firstIndex(of: mfn.raw) else { return }
    domains[s]!.hypervisorRefs.remove(at: k)
    if !domains[s]!.hypervisorRefs.contains(mfn.raw) { frames[record: Int(mfn.raw)].sharedWithHypervisor = false }
    putPage(mfn.raw)
  }

  /// `typeSafety`, kernel part: no page shared with the hypervisor is a page table, and only
  /// frames the hypervisor holds are marked shared.
  public func checkSharedFrames() -> [MMViolation] {
    var out: [MMViolation] = []
    var held = [Bool](repeating: false, count: config.frameCount)
    for dom in domains { if let dom { for h in dom.hypervisorRefs { held[Int(h)] = true } } }
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      if f.sharedWithHypervisor && f.type >= DecisionPageType.l1 && f.type <= DecisionPageType.l4 && f.typeCount > 0 {
        out.append(MMViolation("typeSafety", "page shared with the hypervisor is a page table", UInt64(i)))
      }
      if f.sharedWithHypervisor != held[i] {
        out.append(MMViolation("typeSafety", "shared mark differs from hypervisor references", UInt64(i)))
      }
    }
    return out
  }

  /// The L4 frame in `vcpu`'s CR3, nil before its first `new_baseptr` or if it does not exist.
  public func root(of vcpu: VCPUID) -> MFN? {
    guard let s = slot(vcpu.domain), vcpu.index >= 0, vcpu.index < domains[s]!.vcpuCount else { return nil }
    let c = domains[s]!.cr3[vcpu.index]
    return c == noFrame ? nil : MFN(c)
  }
}
