// What the kernel needs from the memory manager beyond the hypercalls: frames the hypervisor
// keeps (scattered through RAM in a real machine, a prefix in tests), and references the
// hypervisor holds on domain frames it shares with the guest (shared_info).

extension MemoryManager {
  /// Marks a free frame as the hypervisor's (image, heap, its page tables, the frame table,
  /// firmware holes). Boot time only, before any domain owns memory. Returns false if the
  /// frame does not exist or is not free.
  @discardableResult
  public mutating func reserveForHypervisor(_ mfn: MFN) -> Bool {
    guard exists(mfn.raw), record(mfn.raw).ownerKind == .free else { return false }
    frames[record: Int(mfn.raw)] = .hypervisor
    freeCount -= 1
    return true
  }

  /// Takes a reference on a frame of `owner` on the hypervisor's behalf, so the frame cannot
  /// leave the domain (decrease_reservation refuses referenced frames with EBUSY) while the
  /// hypervisor writes to it. Returns false unless `owner` owns the frame.
  @discardableResult
  public mutating func hypervisorGetPage(_ mfn: MFN, owner: DomID) -> Bool {
    guard exists(mfn.raw), record(mfn.raw).isOwned(by: owner.raw) else { return false }
    getPage(mfn.raw)
    return true
  }

  /// Drops a reference taken by `hypervisorGetPage`.
  public mutating func hypervisorPutPage(_ mfn: MFN) {
    guard exists(mfn.raw), record(mfn.raw).refCount > 0 else { return }
    putPage(mfn.raw)
  }
}
