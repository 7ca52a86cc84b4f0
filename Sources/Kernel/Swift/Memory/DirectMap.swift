import KernelArch

/// Builds the kernel's permanent page tables and switches to them:
///   - PML4 slot 262: the direct map of [0, max(RAM end, 4 GiB)) with 2 MiB pages, NX,
///     write-back over RAM and uncached elsewhere (MMIO such as the LAPIC);
///   - PML4 slot 255: the kernel image window, shared with boot.S's tables;
///   - nothing else: the identity map boot.S needed is gone, so a stray low pointer
///     in the kernel faults instead of silently touching guest memory.
enum DirectMap {
  static let present: UInt64 = 1 << 0
  static let writable: UInt64 = 1 << 1
  static let writeThrough: UInt64 = 1 << 3
  static let cacheDisable: UInt64 = 1 << 4
  static let largePage: UInt64 = 1 << 7
  static let global: UInt64 = 1 << 8
  static let noExecute: UInt64 = 1 << 63

  /// Slot 262 = (0xFFFF_8300_0000_0000 >> 39) & 511.
  static let directMapSlot = 262
  static let maxDirectMapBytes: UInt64 = 512 << 30   // one PDPT's reach

  enum Failure: Error { case outOfFrames, memoryTooLarge }

  /// The NX bit when the CPU supports it (EFER.NXE set by boot.S), else 0: setting bit 63
  /// without NXE is a reserved-bit page fault.
  nonisolated(unsafe) static var noExecuteIfEnabled: UInt64 = 0

  static func install(memoryMap: [MemoryRegion], allocator: inout FrameAllocator, nx: Bool) throws(Failure) -> UInt64 {
    var top: UInt64 = 4 << 30
    for r in memoryMap where r.kind == .available || r.kind == .acpiReclaimable { top = max(top, r.end) }
    if top > maxDirectMapBytes {
      Log.warn("mm: RAM above 512 GiB is not mapped")
      top = maxDirectMapBytes
    }
    let gigabytes = Int((top + (1 << 30) - 1) >> 30)
    let boundary = KernelMemory.bootWindowSize >> 12

    func newTable() throws(Failure) -> MFN {
      guard let f = allocator.allocate(below: boundary) else { throw .outOfFrames }
      let t = KernelMemory.unsafeTable(f)
      for i in 0..<512 { t[i] = 0 }
      return f
    }

    let pml4 = try newTable()
    let pdpt = try newTable()
    let nxBit = nx ? noExecute : 0
    noExecuteIfEnabled = nxBit
    for g in 0..<gigabytes {
      let pd = try newTable()
      let table = KernelMemory.unsafeTable(pd)
      for i in 0..<512 {
        let pa = (UInt64(g) << 30) | (UInt64(i) << 21)
        let ram = memoryMap.contains { r in
          (r.kind == .available || r.kind == .acpiReclaimable) && r.start < pa + (2 << 20) && r.end > pa
        }
        let caching = ram ? 0 : (cacheDisable | writeThrough)
        table[i] = pa | present | writable | largePage | global | caching | nxBit
      }
      KernelMemory.unsafeTable(pdpt)[g] = pd.address.raw | present | writable
    }

    let root = KernelMemory.unsafeTable(pml4)
    root[directMapSlot] = pdpt.address.raw | present | writable
    // Still in the boot window here, so the boot PML4 is reachable at imageBase + its address.
    let bootRoot = UnsafeMutablePointer<UInt64>(bitPattern: UInt(KernelMemory.virtual(arch_read_cr3() & ~0xFFF)))!
    root[KernelMemory.imageSlot] = bootRoot[KernelMemory.imageSlot]
    arch_write_cr3(pml4.address.raw)
    KernelMemory.directMapSize = UInt64(gigabytes) << 30
    return UInt64(gigabytes) << 30
  }
}
