import KernelArch

/// The memory manager's view of machine frames in the kernel: the direct map.
///
/// Sound because the direct map covers every frame the frame table describes
/// (`Machine.boot` sizes the table from the same memory map), and the core only passes
/// frames below its frame count.
struct DirectMapMemory: MachineMemory {
  func readEntry(frame: MFN, index: Int) -> UInt64 {
    KernelMemory.unsafeTable(frame)[index]
  }

  mutating func writeEntry(frame: MFN, index: Int, value: UInt64) {
    KernelMemory.unsafeTable(frame)[index] = value
  }

  mutating func zeroFrame(_ frame: MFN) {
    let t = KernelMemory.unsafeTable(frame)
    for i in 0..<512 { t[i] = 0 }
  }

  mutating func copyFrame(from source: MFN, to dest: MFN) {
    guard source != dest else { return }
    let s = KernelMemory.unsafeTable(source)
    let d = KernelMemory.unsafeTable(dest)
    for i in 0..<512 { d[i] = s[i] }
  }
}

/// Byte access to machine memory through the direct map, for the builder and for copies to
/// and from guests after `GuestWalk` has translated and checked the addresses.
enum MachineBytes {
  static func pointer(_ machineAddress: UInt64) -> UnsafeMutablePointer<UInt8> {
    UnsafeMutablePointer<UInt8>(bitPattern: UInt(KernelMemory.virtual(machineAddress)))!
  }
}
