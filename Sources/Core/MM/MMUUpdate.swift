// mmu_update and update_va_mapping: how a PV guest changes its page tables.
//
// The guest cannot write a page-table frame (it is never mapped writable, see
// TypeReferences.swift); it asks, and the core checks the one entry that changes and moves
// that entry's references. Cost per request: one frame-table read for the table, one entry
// read, `pteCheck` on the target's record, O(1) count updates, one entry write. Only when the
// new entry points at an untyped table does a validation of that table (512 entries, recursively
// at most 3 levels down) happen, as in Xen.

/// One `mmu_update_t`: `ptr` is a machine address whose low 3 bits carry the command.
public struct MMURequest: Equatable, Sendable {
  /// Machine address of the target with the `MMU_*` command in bits 0..2.
  public var ptr: UInt64
  /// The new entry (normal update) or pseudo-physical frame number (machphys update).
  public var val: UInt64
  /// Wraps a raw request.
  @inlinable public init(ptr: UInt64, val: UInt64) {
    self.ptr = ptr
    self.val = val
  }
  /// A normal update of entry `index` of frame `table`.
  public static func normal(_ table: MFN, _ index: Int, _ val: UInt64) -> MMURequest {
    MMURequest(ptr: table.raw << 12 | UInt64(index & 511) << 3 | XenABI.mmuNormalPTUpdate, val: val)
  }
  /// A machphys update recording that `mfn` backs pseudo-physical frame `pfn`.
  public static func machphys(_ mfn: MFN, pfn: UInt64) -> MMURequest {
    MMURequest(ptr: mfn.raw << 12 | XenABI.mmuMachphysUpdate, val: pfn)
  }
}

/// What a batched hypercall returns: requests done, and the error of the first refused one
/// (nil if all were done). The refused request had no effect.
public struct BatchResult: Equatable, Sendable {
  /// Number of requests applied, in order, before the first refusal.
  public var done: Int
  /// Why request `done` was refused, nil when every request was applied.
  public var error: HypercallError?
  public init(done: Int, error: HypercallError?) {
    self.done = done
    self.error = error
  }
}

extension MemoryManager {
  /// `HYPERVISOR_mmu_update`: applies `requests` in order, stopping at the first refusal.
  public mutating func mmuUpdate<Requests: Sequence>(
    caller: VCPUID, _ requests: Requests
  ) -> BatchResult where Requests.Element == MMURequest {
    var done = 0
    for r in requests {
      do throws(HypercallError) {
        try mmuUpdateOne(caller: caller, r)
      } catch {
        return BatchResult(done: done, error: error)
      }
      done += 1
    }
    return BatchResult(done: done, error: nil)
  }

  /// One `mmu_update` request. Conditions, in the Spec's order:
  ///
  /// 1. the caller is a live vCPU (ESRCH);
  /// 2. `MMU_NORMAL_PT_UPDATE`: the frame at `ptr` is the caller's (EPERM hypervisor, EINVAL);
  ///    a typed table takes the new entry through `modEntry` (pteCheck); a data frame must be
  ///    typable `writable` (EINVAL) and the store is plain;
  /// 3. `MMU_MACHPHYS_UPDATE`: the frame is the caller's; its M2P entry becomes `val`;
  /// 4. any other command: ENOSYS.
  public mutating func mmuUpdateOne(caller: VCPUID, _ r: MMURequest) throws(HypercallError) {
    let s = try callerSlot(caller)
    let d = domains[s]!.id.raw
    let mfn = r.ptr >> 12
    switch r.ptr & 7 {
    case XenABI.mmuNormalPTUpdate:
      let index = Int((r.ptr & 0xFFF) >> 3)
      try checkOwned(mfn, by: d)
      let f = record(mfn)
      if f.typeCount > 0 && f.type >= DecisionPageType.l1 && f.type <= DecisionPageType.l4 {
        defer { drainReleases() }
        try modEntry(mfn, index, r.val, level: f.type, for: d)
      } else {
        // A data frame: refused only if it holds another (non-table) type.
        if f.typeCount > 0 && f.type != DecisionPageType.writable { throw .EINVAL }
        memory.writeEntry(frame: MFN(mfn), index: index, value: r.val)
      }
    case XenABI.mmuMachphysUpdate:
      try checkOwned(mfn, by: d)
      frames[record: Int(mfn)].hasM2P = true
      frames[m2p: Int(mfn)] = r.val
    default:
      throw .ENOSYS
    }
  }

  /// The L1 slot translating `va` from root `root` (hardware walk, ignoring types), or nil if a
  /// level is absent or an L3/L2 superpage ends the walk.
  func l1Slot(root: UInt64, va: UInt64) -> (table: UInt64, index: Int)? {
    var table = root
    var level: UInt64 = 4
    while level > 1 {
      let e = entry(table, Int((va >> (12 + 9 * (level - 1))) & 0x1FF))
      guard e & DecisionPTE.present != 0, level == 4 || e & DecisionPTE.pageSize == 0 else {
        return nil
      }
      table = (e & DecisionPTE.frameMask) >> 12
      level -= 1
    }
    return (table, Int((va >> 12) & 0x1FF))
  }

  /// `HYPERVISOR_update_va_mapping`: replaces the L1 entry translating `va` in the caller's
  /// address space. `flags` (`UVMF_*`) only concerns the TLB: the kernel flushes after success.
  ///
  /// Conditions, in the Spec's order: live caller (ESRCH); `va` canonical and a CR3 loaded
  /// (EINVAL); the walk reaches an L1 slot (EINVAL) in a validated L1 of the caller (EINVAL: a
  /// walk through a linear entry can land in an L2 or L3); the entry passes `pteCheck` at L1.
  public mutating func updateVaMapping(
    caller: VCPUID, va: UInt64, val: UInt64, flags: UInt64 = 0
  ) throws(HypercallError) {
    let s = try callerSlot(caller)
    let d = domains[s]!.id.raw
    let top = va >> 47
    let root = domains[s]!.cr3[caller.index]
    guard top == 0 || top == 0x1FFFF, root != noFrame else { throw .EINVAL }
    guard !config.isReserved(level: 4, index: Int((va >> 39) & 0x1FF)) else { throw .EINVAL }
    guard let (l1, index) = l1Slot(root: root, va: va), exists(l1) else { throw .EINVAL }
    let f = record(l1)
    guard f.isOwned(by: d), f.type == DecisionPageType.l1, f.typeCount > 0 else { throw .EINVAL }
    defer { drainReleases() }
    try modEntry(l1, index, val, level: 1, for: d)
  }
}
