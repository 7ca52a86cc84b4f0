import KernelArch

/// mmu_update, mmuext_op, update_va_mapping, memory_op: decoded here, decided by the core's
/// `MemoryManager`. The kernel adds only what the core cannot know: the hypervisor's own PML4
/// slots in every guest L4, and the TLB.
enum MemoryOps {
  /// Requests per call; beyond this Xen would use a continuation, we refuse (EINVAL) so a
  /// guest cannot keep the CPU with interrupts off for long.
  static let maxBatch: UInt64 = 4096

  /// True if `mfn` is an L4 table and `index` one of the hypervisor's slots.
  static func isReservedL4Slot(_ mfn: UInt64, index: UInt64) -> Bool {
    let mm = Machine.mm!
    guard mm.exists(mfn), mm.frames[record: Int(mfn)].type == DecisionPageType.l4 else { return false }
    return ReservedVirtualRanges.reservedSlots.contains(Int(index))
  }

  /// mmu_update(requests, count, done*, domid).
  static func mmuUpdate(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    guard Hypercalls.isSelf(v, a.a4) else { return Hypercalls.fail(.ESRCH) }
    guard a.a2 <= maxBatch else { return Hypercalls.fail(.EINVAL) }
    var done: UInt64 = 0
    var result: Int64 = 0
    var w: [UInt64] = []
    w.reserveCapacity(2)
    while done < a.a2 {
      let r = a.a1 &+ done * 16
      guard GuestCopy.readWords(v, r, count: 2, into: &w) else {
        result = Hypercalls.fail(.EFAULT)
        break
      }
      let (ptr, val) = (w[0], w[1])
      if ptr & 7 == XenABI.mmuNormalPTUpdate && isReservedL4Slot(ptr >> 12, index: (ptr >> 3) & 511) {
        result = Hypercalls.fail(.EPERM)
        break
      }
      do throws(HypercallError) {
        try Machine.mm!.mmuUpdateOne(caller: v.id, MMURequest(ptr: ptr, val: val))
      } catch {
        result = Hypercalls.fail(error)
        break
      }
      done += 1
    }
    if done > 0 { arch_flush_tlb() }
    if a.a3 != 0 && !GuestCopy.writeU32(v, a.a3, UInt32(done)) && result == 0 { result = Hypercalls.fail(.EFAULT) }
    return result
  }

  /// mmuext_op(ops, count, done*, domid): entries { cmd u32, pad, arg1 u64, arg2 u64 }.
  static func mmuextOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    guard Hypercalls.isSelf(v, a.a4) else { return Hypercalls.fail(.ESRCH) }
    guard a.a2 <= maxBatch else { return Hypercalls.fail(.EINVAL) }
    var done: UInt64 = 0
    var result: Int64 = 0
    while done < a.a2 {
      let e = a.a1 &+ done * 24
      guard let cmd = GuestCopy.readU32(v, e), let arg1 = GuestCopy.readU64(v, e + 8) else {
        result = Hypercalls.fail(.EFAULT)
        break
      }
      // The core neither validates nor counts entries in the reserved L4 slots; whatever a guest
      // left there is overwritten by HypervisorSlots.install right after a pin or new_baseptr.
      let op = MMUExtCommand(cmd: cmd, arg1: arg1)
      // Only a frame that was an L4 holds the hypervisor's slots. (Clearing slots 255-271 of
      // an L1 that stays live through other references rewrote its entries behind the core's
      // back and leaked their references: notes-kernel-bugs.md #5.)
      var wasL4 = false
      if case .unpinTable(let f) = op, Machine.mm!.exists(f.raw) {
        wasL4 = Machine.mm!.frames[record: Int(f.raw)].type == DecisionPageType.l4
      }
      do throws(HypercallError) {
        try Machine.mm!.mmuextOpOne(caller: v.id, op)
      } catch {
        result = Hypercalls.fail(error)
        break
      }
      switch op {
      case .pinTable(4, let f):
        HypervisorSlots.install(in: f)
      case .newBaseptr(let f):
        HypervisorSlots.install(in: f)
        v.root = f
        arch_write_cr3(f.address.raw)
      case .unpinTable(let f):
        if wasL4 && Machine.mm!.frames[record: Int(f.raw)].type != DecisionPageType.l4 { HypervisorSlots.remove(from: f) }
      case .invlpgLocal(let va):
        arch_invlpg(va)
      default:
        arch_flush_tlb()
      }
      done += 1
    }
    if a.a3 != 0 && !GuestCopy.writeU32(v, a.a3, UInt32(done)) && result == 0 { result = Hypercalls.fail(.EFAULT) }
    return result
  }

  /// update_va_mapping(va, val, flags).
  static func updateVaMapping(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    // The hypervisor's ranges are not the guest's to map (and the core must never walk into
    // the hypervisor's own tables through slots 255 and 262).
    guard !ReservedVirtualRanges.overlaps(start: a.a1, end: a.a1 &+ 1) else { return Hypercalls.fail(.EINVAL) }
    do throws(HypercallError) {
      try Machine.mm!.updateVaMapping(caller: v.id, va: a.a1, val: a.a2, flags: a.a3)
    } catch {
      return Hypercalls.fail(error)
    }
    arch_invlpg(a.a1)
    return 0
  }

  /// memory_op(cmd, arg).
  static func memoryOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    let cmd = a.a1 & 0x3F
    switch cmd {
    case UInt64(XenABI.xenmemPopulatePhysmap), UInt64(XenABI.xenmemDecreaseReservation):
      return reservation(v, a.a2, populate: cmd == UInt64(XenABI.xenmemPopulatePhysmap))
    case XenOp.xenmemCurrentReservation, XenOp.xenmemMaximumReservation:
      guard let domid = GuestCopy.readU16(v, a.a2) else { return Hypercalls.fail(.EFAULT) }
      guard Hypercalls.isSelf(v, UInt64(domid)) else { return Hypercalls.fail(.EPERM) }
      return cmd == XenOp.xenmemCurrentReservation ? Int64(v.domain.pages.count) : Int64(v.domain.config.pages + 1)
    case XenOp.xenmemMemoryMap:
      // xen_memory_map { nr_entries u32, pad, buffer handle }: one RAM entry for the pseudo-physical space.
      guard let n = GuestCopy.readU32(v, a.a2), let buffer = GuestCopy.readU64(v, a.a2 + 8) else { return Hypercalls.fail(.EFAULT) }
      guard n >= 1 else { return Hypercalls.fail(.EINVAL) }
      let size = v.domain.config.pages << 12
      guard GuestCopy.writeU64(v, buffer, 0), GuestCopy.writeU64(v, buffer + 8, size),
        GuestCopy.writeU32(v, buffer + 16, 1), GuestCopy.writeU32(v, a.a2, 1)
      else { return Hypercalls.fail(.EFAULT) }
      return 0
    default:
      return Hypercalls.fail(.ENOSYS)
    }
  }

  /// xen_memory_reservation { extent_start handle, nr_extents u64, extent_order u32,
  /// mem_flags u32, domid u16 }. Order-0 extents only. PV: populate writes each new MFN
  /// back into the list and records gpfn -> mfn in the M2P; decrease takes MFNs.
  static func reservation(_ v: VCPU, _ arg: UInt64, populate: Bool) -> Int64 {
    guard let list = GuestCopy.readU64(v, arg), let n = GuestCopy.readU64(v, arg + 8),
      let order = GuestCopy.readU32(v, arg + 16), let domid = GuestCopy.readU16(v, arg + 24)
    else { return Hypercalls.fail(.EFAULT) }
    guard Hypercalls.isSelf(v, UInt64(domid)) else { return Hypercalls.fail(.EPERM) }
    guard order == 0, n <= 512 else { return Hypercalls.fail(.EINVAL) }
    var entries: [UInt64] = []
    for i in 0..<n {
      guard let x = GuestCopy.readU64(v, list &+ i * 8) else { return Hypercalls.fail(.EFAULT) }
      entries.append(x)
    }
    // Check the whole list is writable before the core changes anything.
    if populate {
      for i in 0..<n where !GuestCopy.writeU64(v, list &+ i * 8, entries[Int(i)]) { return Hypercalls.fail(.EFAULT) }
    }
    do throws(HypercallError) {
      if populate {
        let frames = try Machine.mm!.populatePhysmap(caller: v.id, count: Int(n))
        for (i, f) in frames.enumerated() {
          var memory = DirectMapMemory()
          memory.zeroFrame(f)
          try? Machine.mm!.mmuUpdateOne(caller: v.id, .machphys(f, pfn: entries[i]))
          _ = GuestCopy.writeU64(v, list &+ UInt64(i) * 8, f.raw)
          v.domain.pages.append(f)
        }
      } else {
        let frames = entries.map { MFN($0) }
        try Machine.mm!.decreaseReservation(caller: v.id, frames: frames)
        v.domain.pages.removeAll { frames.contains($0) }
        arch_flush_tlb()
      }
    } catch {
      return Hypercalls.fail(error)
    }
    return Int64(n)
  }
}
