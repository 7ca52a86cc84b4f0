// mmu_update and update_va_mapping: how a PV guest changes its page tables.
//
// The guest never writes a page-table frame directly (it cannot: the frame is not mapped
// writable anywhere, see References.swift). It asks the hypervisor, which checks the new entry
// and moves the references.

/// One `mmu_update_t` request: `ptr` is a machine address whose low 3 bits carry the command.
public struct MMUUpdate: Equatable, Sendable {
  /// Machine address of the target, with the command (`MMU_*`) in bits 0..2.
  public var ptr: UInt64
  /// The new value: a PTE (normal update) or a pseudo-physical frame number (machphys update).
  public var val: UInt64
  /// Wraps a raw request.
  public init(ptr: UInt64, val: UInt64) {
    self.ptr = ptr
    self.val = val
  }
  /// `MMU_NORMAL_PT_UPDATE` (0): checked `*ptr = val`.
  public static let normalPTUpdate: UInt64 = 0
  /// `MMU_MACHPHYS_UPDATE` (1): set the M2P entry of the frame at `ptr` to `val`.
  public static let machphysUpdate: UInt64 = 1
  /// A normal update of entry `index` of frame `table`.
  public static func normal(_ table: MFN, _ index: Int, _ val: UInt64) -> MMUUpdate {
    MMUUpdate(ptr: table.entryAddress(index) | normalPTUpdate, val: val)
  }
  /// A machphys update recording that `mfn` backs pseudo-physical frame `pfn`.
  public static func machphys(_ mfn: MFN, pfn: UInt64) -> MMUUpdate {
    MMUUpdate(ptr: mfn.address | machphysUpdate, val: pfn)
  }
}

/// What a batched hypercall returns: how many requests succeeded, the errno of the first one
/// that failed (nil if all succeeded), and the state after the successful ones.
///
/// The contract: `state` is the result of the first `done` requests applied one at a time; the
/// failing request (if any) had no effect.
public typealias BatchTransition = (done: Int, error: XenErrno?, state: SpecState)

extension SpecState {
  /// `HYPERVISOR_mmu_update`: applies `requests` in order, stopping at the first refusal.
  public func mmuUpdate(caller: VCPUID, _ requests: [MMUUpdate]) -> BatchTransition {
    var s = self
    for (i, r) in requests.enumerated() {
      let (result, next) = s.mmuUpdateOne(caller: caller, r)
      if case .failure(let e) = result { return (i, e, s) }
      s = next
    }
    return (requests.count, nil, s)
  }

  /// One `mmu_update` request.
  ///
  /// `MMU_NORMAL_PT_UPDATE`, conditions in order:
  /// 1. the caller is a live vCPU (ESRCH);
  /// 2. `ptr` names an entry of a frame the caller owns (hypervisor frame EPERM, else EINVAL);
  /// 3. if the frame is a page table (type count > 0), the new entry passes
  ///    `getEntryReferences` for that level; otherwise the frame must be typable `writable` (it
  ///    is plain data: the write is an ordinary store, EINVAL if the frame has another type).
  ///
  /// `MMU_MACHPHYS_UPDATE`: the caller owns the frame; records `m2p[frame] = val`.
  /// Any other command: ENOSYS.
  public func mmuUpdateOne(caller: VCPUID, _ r: MMUUpdate) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      let mfn = MFN(r.ptr >> 12)
      switch r.ptr & 7 {
      case MMUUpdate.normalPTUpdate:
        let index = Int((r.ptr & 0xFFF) >> 3)
        try s.checkOwned(mfn, by: d)
        let f = s.frame(mfn)
        if let level = f.type.level, f.typeCount > 0 {
          try s.modEntry(mfn, index, r.val, at: level, for: d)
        } else {
          // A data frame: take and drop a transient writable reference, i.e. refuse if the
          // frame currently has any other type.
          try s.getPageType(mfn, .writable, for: d)
          s.putPageType(mfn)
          s.setEntry(mfn, index, r.val)
        }
      case MMUUpdate.machphysUpdate:
        try s.checkOwned(mfn, by: d)
        s.m2p[mfn] = r.val
      default:
        throw .ENOSYS  // MMU_PT_UPDATE_PRESERVE_AD and friends are not modelled
      }
    }
  }

  /// Walks the page tables rooted at `root` (hardware semantics, ignoring types) down to the L1
  /// entry that translates `va`: returns the L1 frame and index, or nil if a level is absent
  /// or a superpage ends the walk early.
  public func l1Slot(root: MFN, va: UInt64) -> (table: MFN, index: Int)? {
    var table = root
    for level in [Level.l4, .l3, .l2] {
      let e = entry(table, VirtualAddress.index(va, level))
      guard PTE.isPresent(e), level == .l4 || e & PTE.pageSize == 0 else { return nil }
      table = PTE.frame(e)
    }
    return (table, VirtualAddress.index(va, .l1))
  }

  /// `HYPERVISOR_update_va_mapping`: replaces the L1 entry translating `va` in the caller's
  /// current address space. `flags` (`UVMF_*` TLB flush requests) has no effect on the model.
  ///
  /// Conditions, in order:
  /// 1. the caller is a live vCPU (ESRCH);
  /// 2. `va` is canonical and the caller has a CR3 (EINVAL);
  /// 3. the walk reaches an L1 slot (EINVAL), in a frame that is really a validated L1 of the
  ///    caller: a walk through a linear entry can land in an L2 or L3, which must not be written
  ///    as if it were an L1 (EINVAL);
  /// 4. the new entry passes `getEntryReferences` at level 1.
  public func updateVaMapping(
    caller: VCPUID, va: UInt64, val: UInt64, flags: UInt64 = 0
  ) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard VirtualAddress.isCanonical(va), let root = s.vcpus[caller]!.cr3 else { throw .EINVAL }
      guard let (l1, index) = s.l1Slot(root: root, va: va) else { throw .EINVAL }
      let f = s.frame(l1)
      guard f.owner == .domain(d), f.type == .l1, f.typeCount > 0 else { throw .EINVAL }
      try s.modEntry(l1, index, val, at: .l1, for: d)
    }
  }
}
