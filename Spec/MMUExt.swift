// mmuext_op: pinning, unpinning and switching page tables.
//
// Pinning is how a guest tells the hypervisor "keep this frame validated as a page table even
// when nothing points to it", so it can be filled in and later hooked into CR3 cheaply. A pin is
// one typed reference, so a pinned frame can never be mapped writable or retyped.

/// One `mmuext_op` command.
public enum MMUExtOp: Equatable, Sendable {
  /// `MMUEXT_PIN_L{1,2,3,4}_TABLE`: validate `mfn` as a table of `level` and hold it.
  case pinTable(Level, MFN)
  /// `MMUEXT_UNPIN_TABLE`: drop the pin.
  case unpinTable(MFN)
  /// `MMUEXT_NEW_BASEPTR`: load `mfn` (an L4) into the caller's CR3.
  case newBaseptr(MFN)
  /// `MMUEXT_TLB_FLUSH_LOCAL`: no effect on the model (it has no TLB).
  case tlbFlushLocal
  /// `MMUEXT_INVLPG_LOCAL`: no effect on the model.
  case invlpgLocal(va: UInt64)

  /// The Xen command number (`MMUEXT_*` in xen.h).
  public var xenCommand: UInt32 {
    switch self {
    case .pinTable(let level, _): UInt32(level.rawValue - 1)  // MMUEXT_PIN_L1_TABLE = 0 ...
    case .unpinTable: 4
    case .newBaseptr: 5
    case .tlbFlushLocal: 6
    case .invlpgLocal: 7
    }
  }
}

extension SpecState {
  /// `HYPERVISOR_mmuext_op`: applies `ops` in order, stopping at the first refusal.
  public func mmuextOp(caller: VCPUID, _ ops: [MMUExtOp]) -> BatchTransition {
    var s = self
    for (i, op) in ops.enumerated() {
      let (result, next) = s.mmuextOpOne(caller: caller, op)
      if case .failure(let e) = result { return (i, e, s) }
      s = next
    }
    return (ops.count, nil, s)
  }

  /// One `mmuext_op` command. Conditions, in order, for each command:
  ///
  /// - every command: the caller is a live vCPU (ESRCH);
  /// - `pinTable`: the caller owns the frame (EPERM hypervisor / EINVAL), it is not already
  ///   pinned (EINVAL), and it takes the table type, validating it (EINVAL);
  /// - `unpinTable`: the caller owns the frame (EPERM / EINVAL) and it is pinned (EINVAL);
  ///   dropping the pin may un-validate the table;
  /// - `newBaseptr`: the caller owns the frame (EPERM / EINVAL) and it takes the `l4` type
  ///   (EINVAL); the previous CR3's reference is dropped afterwards;
  /// - flushes: always succeed, no state change.
  public func mmuextOpOne(caller: VCPUID, _ op: MMUExtOp) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      switch op {
      case .pinTable(let level, let mfn):
        try s.checkOwned(mfn, by: d)
        guard !s.frame(mfn).pinned else { throw .EINVAL }
        s.getPage(mfn)
        try s.getPageType(mfn, level.pageType, for: d)
        s.frames[mfn]!.pinned = true
      case .unpinTable(let mfn):
        try s.checkOwned(mfn, by: d)
        guard s.frame(mfn).pinned else { throw .EINVAL }
        s.frames[mfn]!.pinned = false
        s.putPageType(mfn)
        s.putPage(mfn)
      case .newBaseptr(let mfn):
        try s.checkOwned(mfn, by: d)
        s.getPage(mfn)
        try s.getPageType(mfn, .l4, for: d)
        if let old = s.vcpus[caller]!.cr3 {
          s.putPageType(old)
          s.putPage(old)
        }
        s.vcpus[caller]!.cr3 = mfn
      case .tlbFlushLocal, .invlpgLocal:
        break
      }
    }
  }
}
