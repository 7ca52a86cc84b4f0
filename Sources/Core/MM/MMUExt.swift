// mmuext_op: pinning, unpinning and switching page tables (Xen do_mmuext_op).
//
// Pinning keeps a frame validated as a table of a given level while nothing points at it, so a
// guest can fill a tree in and hook it into CR3 cheaply. A pin is one typed reference.

/// One `mmuext_op` command.
public enum MMUExtCommand: Equatable, Sendable {
  /// `MMUEXT_PIN_L{1,2,3,4}_TABLE`: validate `mfn` as a table of level 1...4 and hold it.
  case pinTable(level: Int, MFN)
  /// `MMUEXT_UNPIN_TABLE`.
  case unpinTable(MFN)
  /// `MMUEXT_NEW_BASEPTR`: load `mfn` (an L4) into the caller's CR3.
  case newBaseptr(MFN)
  /// `MMUEXT_TLB_FLUSH_LOCAL`: the kernel flushes; no state change.
  case tlbFlushLocal
  /// `MMUEXT_INVLPG_LOCAL`: the kernel invalidates `va`; no state change.
  case invlpgLocal(va: UInt64)
  /// Any other command number: refused with ENOSYS.
  case unsupported(UInt32)

  /// Decodes a raw `struct mmuext_op` (`cmd`, `arg1` = MFN or linear address).
  public init(cmd: UInt32, arg1: UInt64) {
    switch cmd {
    case 0...3: self = .pinTable(level: Int(cmd) + 1, MFN(arg1))
    case XenABI.mmuextUnpinTable: self = .unpinTable(MFN(arg1))
    case XenABI.mmuextNewBaseptr: self = .newBaseptr(MFN(arg1))
    case XenABI.mmuextTLBFlushLocal: self = .tlbFlushLocal
    case XenABI.mmuextInvlpgLocal: self = .invlpgLocal(va: arg1)
    default: self = .unsupported(cmd)
    }
  }
}

extension MemoryManager {
  /// `HYPERVISOR_mmuext_op`: applies `ops` in order, stopping at the first refusal.
  public mutating func mmuextOp<Ops: Sequence>(
    caller: VCPUID, _ ops: Ops
  ) -> BatchResult where Ops.Element == MMUExtCommand {
    var done = 0
    for op in ops {
      do throws(HypercallError) {
        try mmuextOpOne(caller: caller, op)
      } catch {
        return BatchResult(done: done, error: error)
      }
      done += 1
    }
    return BatchResult(done: done, error: nil)
  }

  /// One `mmuext_op` command. Conditions, in the Spec's order:
  ///
  /// - every command: live caller (ESRCH);
  /// - `pinTable`: level 1...4 (EINVAL), the caller owns the frame (EPERM / EINVAL), it is not
  ///   already pinned (EINVAL), it takes the table type, validating it (EINVAL);
  /// - `unpinTable`: owned (EPERM / EINVAL) and pinned (EINVAL); may release the tree;
  /// - `newBaseptr`: owned (EPERM / EINVAL), takes the `l4` type (EINVAL); the previous CR3's
  ///   reference is dropped afterwards;
  /// - flushes: no state change; unknown commands: ENOSYS.
  public mutating func mmuextOpOne(caller: VCPUID, _ op: MMUExtCommand) throws(HypercallError) {
    let s = try callerSlot(caller)
    let d = domains[s]!.id.raw
    defer { drainReleases() }
    switch op {
    case .pinTable(let level, let mfn):
      guard level >= 1 && level <= 4 else { throw .EINVAL }
      try checkOwned(mfn.raw, by: d)
      guard !record(mfn.raw).pinned else { throw .EINVAL }
      try getPageType(mfn.raw, UInt64(level), for: d)
      getPage(mfn.raw)
      frames[record: Int(mfn.raw)].pinned = true
    case .unpinTable(let mfn):
      try checkOwned(mfn.raw, by: d)
      guard record(mfn.raw).pinned else { throw .EINVAL }
      frames[record: Int(mfn.raw)].pinned = false
      putPageType(mfn.raw)
      putPage(mfn.raw)
    case .newBaseptr(let mfn):
      try checkOwned(mfn.raw, by: d)
      try getPageType(mfn.raw, DecisionPageType.l4, for: d)
      getPage(mfn.raw)
      let old = domains[s]!.cr3[caller.index]
      if old != noFrame {
        putPageType(old)
        putPage(old)
      }
      domains[s]!.cr3[caller.index] = mfn.raw
    case .tlbFlushLocal, .invlpgLocal:
      break
    case .unsupported:
      throw .ENOSYS
    }
  }
}
