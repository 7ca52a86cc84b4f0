// What the kernel needs from the memory manager beyond the hypercalls and KernelHooks.swift:
// a view of the core's grant records, and the checks of a byte-granular grant copy.

extension MemoryManager {
  /// The core's record of grant `ref` of `granter` (what the kernel compares with the entry the
  /// guest wrote in its shared grant frame), or nil if there is no such domain or entry.
  public func grantEntry(_ granter: DomID, _ ref: GrantRef) -> GrantEntryRecord? {
    guard let s = slot(granter), Int(ref.raw) < domains[s]!.grants.count else { return nil }
    return domains[s]!.grants[Int(ref.raw)]
  }

  /// The checks of `grantCopy` (which calls this), without the whole-frame copy: returns the
  /// source and destination frames, so the kernel can copy Xen's `len` bytes at their offsets.
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

extension MemoryManager {
  /// The caller's grant mapping `handle`, if it is in use (the kernel checks a handle before it
  /// touches the PTE at host_addr, so a refused unmap changes nothing).
  public func grantMapping(caller: VCPUID, handle: GrantHandle) -> MaptrackRecord? {
    guard let s = slot(caller.domain), Int(handle.raw) < domains[s]!.maptrack.count,
      domains[s]!.maptrack[Int(handle.raw)].inUse
    else { return nil }
    return domains[s]!.maptrack[Int(handle.raw)]
  }

  /// The L1 entry translating `va` in `caller`'s current address space, if the walk reaches one.
  public func l1Entry(caller: VCPUID, va: UInt64) -> UInt64? {
    guard let root = root(of: caller), let (table, index) = l1Slot(root: root.raw, va: va) else { return nil }
    return memory.readEntry(frame: MFN(table), index: index)
  }
}
