/// The guest's own page tables: PTE encoding, the P->M and M->P translations, a four-level walk,
/// and the hypercalls that change mappings (mmu_update, mmuext_op, update_va_mapping).
///
/// A PV guest's page tables hold MACHINE frame numbers and are read-only to it: reads are plain
/// loads, writes go through the hypervisor, which validates them.
///
///   virtual address (48 bits):
///   47      39 38      30 29      21 20      12 11         0
///   [ L4 idx ] [ L3 idx ] [ L2 idx ] [ L1 idx ] [  offset  ]
import GuestArch

enum PageTable {
  static let present: UInt64 = 1 << 0, writable: UInt64 = 1 << 1, user: UInt64 = 1 << 2
  static let accessed: UInt64 = 1 << 5, dirty: UInt64 = 1 << 6, huge: UInt64 = 1 << 7
  static let noExecute: UInt64 = 1 << 63
  static let frameMask: UInt64 = 0x000F_FFFF_FFFF_F000

  /// Xen's read-only machine-to-phys table for PV guests (RO_MPT_VIRT_START): entry `mfn` is the
  /// pfn that frame backs. A Bulkhead hypervisor that runs walking guests must map it too.
  static let machineToPhysBase: UInt = 0xFFFF_8000_0000_0000

  /// A leaf PTE mapping `machineAddress` (present, user: PV kernels run in ring 3).
  static func pte(machineAddress: UInt64, writable w: Bool) -> UInt64 {
    (machineAddress & frameMask) | present | user | accessed | (w ? writable | dirty : 0)
  }

  /// The MFN behind pseudo-physical frame `pfn` (from start_info.mfn_list).
  static func mfn(ofPFN pfn: UInt64, _ boot: StartInfo) -> UInt64? {
    let list = boot.mfnList
    return pfn < UInt64(list.count) ? list[Int(pfn)] : nil
  }

  /// The pfn behind machine frame `mfn`, from the hypervisor's M->P table.
  static func pfn(ofMFN mfn: UInt64) -> UInt64 {
    // Sound on Xen: the M->P table is mapped read-only into every PV guest.
    UnsafePointer<UInt64>(bitPattern: machineToPhysBase)![Int(mfn)]
  }

  /// The virtual address of pseudo-physical frame `pfn` in the builder's initial mapping
  /// (pfn 0 at GUEST_VIRT_BASE), if it is inside that mapping.
  static func virtualAddress(ofPFN pfn: UInt64, _ boot: StartInfo) -> UInt64? {
    pfn < boot.nrPages ? UInt64(GUEST_VIRT_BASE) + pfn << 12 : nil
  }

  /// One step of a walk: the table entry at `level` (4..1) for `va`.
  struct Step { var level: Int; var entry: UInt64 }

  /// Walks the live page tables for `va`, from start_info.pt_base down. Returns every entry
  /// visited; the walk stops at a non-present entry, a huge page, or level 1.
  static func walk(_ va: UInt64, _ boot: StartInfo) -> [Step] {
    var steps: [Step] = []
    var table = boot.pageTableBase
    for level in stride(from: 4, through: 1, by: -1) {
      let index = Int((va >> UInt64(12 + 9 * (level - 1))) & 0x1FF)
      let entry = UnsafePointer<UInt64>(bitPattern: UInt(table))![index]
      steps.append(Step(level: level, entry: entry))
      if entry & present == 0 || level == 1 || (entry & huge != 0 && level <= 3) { break }
      guard let next = virtualAddress(ofPFN: pfn(ofMFN: (entry & frameMask) >> 12), boot) else { break }
      table = next
    }
    return steps
  }

  /// The machine address `va` maps to, by walking the page tables; nil if unmapped.
  static func machineAddress(of va: UInt64, _ boot: StartInfo) -> UInt64? {
    guard let last = walk(va, boot).last, last.level == 1, last.entry & present != 0 else { return nil }
    return (last.entry & frameMask) | (va & 0xFFF)
  }

  /// update_va_mapping: sets the leaf PTE for `va` and flushes that address from this vCPU's TLB.
  static func updateVAMapping(_ va: UInt64, pte: UInt64, flags: UInt64 = UInt64(XEN_UVMF_INVLPG)) throws(XenError) {
    _ = try Hypercall.call(.updateVAMapping, va, pte, flags)
  }

  /// mmu_update: writes each `(ptr, val)`; `ptr` is the MACHINE address of the entry, its low two
  /// bits the command (MMU_NORMAL_PT_UPDATE or MMU_MACHPHYS_UPDATE). Returns how many succeeded.
  static func mmuUpdate(_ updates: [xen_mmu_update], domain: UInt16 = UInt16(XEN_DOMID_SELF)) throws(XenError) -> Int {
    var list = updates
    var done: UInt32 = 0
    try list.withUnsafeMutableBufferPointer { (buf) throws(XenError) in
      try Hypercall.withArgument(&done) { (donePtr) throws(XenError) in
        _ = try Hypercall.call(
          .mmuUpdate, UInt64(UInt(bitPattern: buf.baseAddress)), UInt64(buf.count), donePtr, UInt64(domain))
      }
    }
    return Int(done)
  }

  /// mmuext_op: pins, unpins, base-pointer switches and TLB flushes.
  static func mmuext(_ ops: [xen_mmuext_op], domain: UInt16 = UInt16(XEN_DOMID_SELF)) throws(XenError) {
    var list = ops
    try list.withUnsafeMutableBufferPointer { (buf) throws(XenError) in
      _ = try Hypercall.call(.mmuextOp, UInt64(UInt(bitPattern: buf.baseAddress)), UInt64(buf.count), 0, UInt64(domain))
    }
  }

  /// mmu_update without throwing: how many requests were applied, and the (negative errno)
  /// result of the call. For callers that need the partial count of a failed batch.
  static func mmuUpdateCounting(
    _ updates: UnsafeBufferPointer<xen_mmu_update>, domain: UInt16 = UInt16(XEN_DOMID_SELF)
  ) -> (done: Int, result: Int64) {
    var done: UInt32 = 0
    let r = withUnsafeMutablePointer(to: &done) { d in
      Hypercall.raw(
        .mmuUpdate, UInt64(UInt(bitPattern: updates.baseAddress)), UInt64(updates.count),
        UInt64(UInt(bitPattern: d)), UInt64(domain))
    }
    return (Int(done), r)
  }

  /// MMUEXT_UNPIN_TABLE on machine frame `mfn`.
  static func unpin(mfn: UInt64) throws(XenError) {
    var op = xen_mmuext_op()
    op.cmd = UInt32(XEN_MMUEXT_UNPIN_TABLE)
    op.arg1.mfn = mfn
    try mmuext([op])
  }

  /// MMUEXT_NEW_BASEPTR: switch this vCPU to the (pinned, or at least valid) L4 at `mfn`.
  static func newBaseptr(mfn: UInt64) throws(XenError) {
    var op = xen_mmuext_op()
    op.cmd = UInt32(XEN_MMUEXT_NEW_BASEPTR)
    op.arg1.mfn = mfn
    try mmuext([op])
  }

  /// MMUEXT_INVLPG_LOCAL for `va`.
  static func invalidate(_ va: UInt64) throws(XenError) {
    var op = xen_mmuext_op()
    op.cmd = UInt32(XEN_MMUEXT_INVLPG_LOCAL)
    op.arg1.linear_addr = va
    try mmuext([op])
  }

  /// The machine frames of the tables a walk for `va` goes through, L4 first: element k is
  /// the table at level 4 - k. Stops where `walk` stops. Only for tables in the builder's
  /// initial mapping (the bootstrap tables).
  static func tableMFNs(for va: UInt64, _ boot: StartInfo) -> [UInt64] {
    guard let l4 = machineAddress(of: boot.pageTableBase, boot) else { return [] }
    var mfns = [l4 >> 12]
    for step in walk(va, boot) where step.level > 1 {
      guard step.entry & present != 0, step.entry & huge == 0 else { break }
      mfns.append((step.entry & frameMask) >> 12)
    }
    return mfns
  }

  /// The MACHINE address of the entry for `va` in the table at `level` (4..1), for
  /// MMU_NORMAL_PT_UPDATE; nil if the walk does not reach that level.
  static func entryMachineAddress(of va: UInt64, level: Int, _ boot: StartInfo) -> UInt64? {
    let tables = tableMFNs(for: va, boot)
    guard (1...4).contains(level), tables.count > 4 - level else { return nil }
    let index = (va >> UInt64(12 + 9 * (level - 1))) & 0x1FF
    return tables[4 - level] << 12 + index * 8
  }

  /// MMUEXT_TLB_FLUSH_LOCAL.
  static func flushLocalTLB() throws(XenError) {
    var op = xen_mmuext_op()
    op.cmd = UInt32(XEN_MMUEXT_TLB_FLUSH_LOCAL)
    try mmuext([op])
  }

  /// MMUEXT_PIN_L{1..4}_TABLE on machine frame `mfn`.
  static func pin(level: Int, mfn: UInt64) throws(XenError) {
    var op = xen_mmuext_op()
    op.cmd = UInt32(XEN_MMUEXT_PIN_L1_TABLE) + UInt32(level - 1)
    op.arg1.mfn = mfn
    try mmuext([op])
  }
}
