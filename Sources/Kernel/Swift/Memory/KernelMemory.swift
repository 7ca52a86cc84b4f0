import KernelArch

/// Where physical memory is visible to the kernel (see Arch/memlayout.h).
enum KernelMemory {
  static let imageBase: UInt64 = 0x0000_7F80_0000_0000
  /// PML4 slot of the image window (memlayout.h KERNEL_PML4_SLOT).
  static let imageSlot = 255
  static let directMapBase: UInt64 = 0xFFFF_8300_0000_0000
  /// The boot window (boot.S) maps physical [0, 1 GiB) at `imageBase`, until `DirectMap`
  /// replaces the page tables; afterwards the same window stays as the image mapping.
  static let bootWindowSize: UInt64 = 1 << 30

  /// Bytes of physical memory the direct map covers (set by `DirectMap.install`).
  nonisolated(unsafe) static var directMapSize: UInt64 = 0

  /// Physical address of a kernel-image virtual address.
  static func physical(ofImage va: UInt64) -> UInt64 { va - imageBase }

  /// The virtual address of physical `pa` through the direct map (or through the boot
  /// window before the direct map exists).
  static func virtual(_ pa: UInt64) -> UInt64 {
    directMapSize == 0 ? imageBase + pa : directMapBase + pa
  }

  /// True when `virtual(pa) ..< virtual(pa)+length` is mapped.
  static func isMapped(_ pa: UInt64, length: UInt64 = 1) -> Bool {
    let limit = directMapSize == 0 ? bootWindowSize : directMapSize
    let (end, o) = pa.addingReportingOverflow(length)
    return !o && end <= limit
  }

  /// A page of physical memory as 512 quadwords, e.g. a page table.
  static func unsafeTable(_ frame: MFN) -> UnsafeMutablePointer<UInt64> {
    UnsafeMutablePointer<UInt64>(bitPattern: UInt(virtual(frame.address.raw)))!
  }
}

/// Reads boot-loader structures through whatever window currently maps them; an address
/// outside the window reads as nil, so a corrupt pointer is a parse error, not a fault.
struct KernelPhysicalReader: PhysicalMemoryReader {
  func readU8(at address: UInt64) -> UInt8? {
    guard KernelMemory.isMapped(address) else { return nil }
    return UnsafePointer<UInt8>(bitPattern: UInt(KernelMemory.virtual(address)))!.pointee
  }
}
