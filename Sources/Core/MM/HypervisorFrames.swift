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

extension MemoryManager {
  /// The core's record of grant `ref` of `granter` (what the kernel compares with the entry the
  /// guest wrote in its shared grant frame), or nil if there is no such domain or entry.
  public func grantEntry(_ granter: DomID, _ ref: GrantRef) -> GrantEntryRecord? {
    guard let s = slot(granter), Int(ref.raw) < domains[s]!.grants.count else { return nil }
    return domains[s]!.grants[Int(ref.raw)]
  }

  /// The checks of `grantCopy`, in the same order, without the whole-frame copy: returns the
  /// source and destination frames so the kernel can copy Xen's `len` bytes at their offsets.
  public mutating func grantCopyFrames(
    caller: VCPUID, source: CopyPointer, dest: CopyPointer
  ) throws(HypercallError) -> (source: MFN, dest: MFN) {
    let s = try callerSlot(caller)
    let d = domains[s]!.id
    let src = try resolveCopy(source, for: d, write: false)
    let dst = try resolveCopy(dest, for: d, write: true)
    let f = record(dst.raw)
    if f.typeCount > 0 && f.type != DecisionPageType.writable { throw .EINVAL }
    return (src, dst)
  }
}
