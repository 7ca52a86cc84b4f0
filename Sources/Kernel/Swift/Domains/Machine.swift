import KernelArch

/// The hypervisor's global state: the memory manager over all of RAM, the domains, and which
/// vCPU is on the (single) physical CPU.
enum Machine {
  typealias MM = MemoryManager<DirectMapMemory, UnsafeFrameStorage>

  nonisolated(unsafe) static var mm: MM? = nil
  nonisolated(unsafe) static var domains: [Domain] = []
  nonisolated(unsafe) static var current: VCPU? = nil
  /// The credit scheduler (Core): it decides which vCPU runs; the kernel only switches to it.
  nonisolated(unsafe) static var sched = Scheduler()
  /// Frames kept back from the memory manager for the hypervisor's own per-domain pages.
  nonisolated(unsafe) static var reserve = FrameAllocator(free: [])
  /// The hypervisor's own PML4 (CR3 when no guest runs).
  nonisolated(unsafe) static var hypervisorRoot: UInt64 = 0

  /// Hands all free RAM to the memory manager: sizes the frame table from the memory map,
  /// carves it out of the boot allocator, and marks every frame that is not free (image,
  /// heap, page tables, firmware, the table itself) as the hypervisor's.
  static func boot(_ boot: BootInfo, allocator: inout FrameAllocator, dom0Pages: Int, maxVCPUs: Int) -> Bool {
    hypervisorRoot = arch_read_cr3() & ~0xFFF
    var top: UInt64 = 0
    for r in boot.memoryMap where r.kind == .available { top = max(top, r.end >> 12) }
    let frameCount = Int(min(top, UInt64(MMConfig.maxFrames)))
    let recordBytes = UInt64(frameCount) * UInt64(MemoryLayout<FrameRecord>.stride)
    let m2pBytes = UInt64(frameCount) * 8
    guard let recordsRange = allocator.allocateContiguous((recordBytes + 0xFFF) >> 12),
      let m2pRange = allocator.allocateContiguous((m2pBytes + 0xFFF) >> 12)
    else {
      Log.error("mm: no contiguous memory for the frame table (\(frameCount) frames)")
      return false
    }
    // Sound: both ranges were just taken from the allocator, so nothing else uses them, and
    // the direct map covers all RAM.
    let records = UnsafeMutableBufferPointer<FrameRecord>(
      start: UnsafeMutableRawPointer(MachineBytes.pointer(recordsRange.start << 12)).assumingMemoryBound(to: FrameRecord.self),
      count: frameCount)
    let m2p = UnsafeMutableBufferPointer<UInt64>(
      start: UnsafeMutableRawPointer(MachineBytes.pointer(m2pRange.start << 12)).assumingMemoryBound(to: UInt64.self),
      count: frameCount)
    let storage = UnsafeFrameStorage(unsafeRecords: records, m2p: m2p)
    guard mapM2PReadOnly(m2pRange, allocator: &allocator) else {
      Log.error("mm: no frames for the read-only M2P mapping")
      return false
    }

    // The hypervisor's own pool for shared_info pages and similar: 64 frames.
    var pool: [FrameRange] = []
    for _ in 0..<64 { if let f = allocator.allocate() { pool.append(FrameRange(start: f.raw, end: f.raw + 1)) } }
    reserve = FrameAllocator(free: pool)

    var config = MMConfig()
    config.frameCount = frameCount
    config.hypervisorFrames = 0
    config.dom0MaxPages = dom0Pages
    config.maxVCPUsPerDomain = maxVCPUs
    config.maxDomains = 16
    config.maptrackEntries = 256
    config.maxGrantFrames = 4
    // The kernel's own PML4 entries (image, M2P, direct map) and all of Xen's hole.
    config.reservedL4Slots = ReservedVirtualRanges.reservedSlots.lowerBound..<(ReservedVirtualRanges.reservedSlots.upperBound + 1)
    var manager = MM(config: config, memory: DirectMapMemory(), frames: storage)
    // Every frame the boot allocator does not still hold free belongs to the hypervisor.
    var next: UInt64 = 0
    for r in allocator.free {
      while next < r.start && next < UInt64(frameCount) {
        _ = manager.markHypervisor(MFN(next))
        next += 1
      }
      next = max(next, r.end)
    }
    while next < UInt64(frameCount) {
      _ = manager.markHypervisor(MFN(next))
      next += 1
    }
    // From here on the memory manager owns every free frame.
    allocator = FrameAllocator(free: [])
    mm = manager
    Log.info("mm: frame table for \(frameCount) frames (\(frameCount * 24 / 1024) KiB), \(manager.freeFrames) frames free for domains")
    return true
  }

  /// PML4 slot of Xen's read-only machine-to-phys table (RO_MPT_VIRT_START, 0xFFFF_8000_0000_0000).
  static let m2pSlot = 256

  /// Maps the core's M2P words read-only for guests at 0xFFFF_8000_0000_0000, where Xen PV
  /// guests expect `machine_to_phys_mapping`. Read-only at every level, no execute.
  static func mapM2PReadOnly(_ m2p: FrameRange, allocator: inout FrameAllocator) -> Bool {
    let pages = m2p.count
    guard pages <= 512 * 512 else { return false }   // one PDPT entry's reach (1 GiB of M2P)
    func table() -> MFN? {
      guard let f = allocator.allocate() else { return nil }
      let t = KernelMemory.unsafeTable(f)
      for i in 0..<512 { t[i] = 0 }
      return f
    }
    let userRO: UInt64 = 0b101
    guard let pdpt = table(), let pd = table() else { return false }
    KernelMemory.unsafeTable(pdpt)[0] = pd.address.raw | userRO
    var page: UInt64 = 0
    while page < pages {
      guard let l1 = table() else { return false }
      KernelMemory.unsafeTable(pd)[Int(page / 512)] = l1.address.raw | userRO
      let t = KernelMemory.unsafeTable(l1)
      var i = 0
      while i < 512 && page < pages {
        t[i] = ((m2p.start + page) << 12) | userRO | DirectMap.noExecuteIfEnabled
        i += 1
        page += 1
      }
    }
    KernelMemory.unsafeTable(MFN(hypervisorRoot >> 12))[m2pSlot] = pdpt.address.raw | userRO
    return true
  }

  /// The kernel's vCPU object for a scheduler id.
  static func vcpu(_ id: VCPUID) -> VCPU? {
    guard let d = domain(id.domain), id.index < d.vcpus.count else { return nil }
    return d.vcpus[id.index]
  }

  static func domain(_ id: DomID) -> Domain? {
    for d in domains where d.id == id { return d }
    return nil
  }
}
