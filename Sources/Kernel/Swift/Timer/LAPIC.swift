import KernelArch

/// The local APIC: its timer drives scheduling ticks; its EOI register acknowledges them.
enum LAPIC {
  static let baseMSR: UInt32 = 0x1B
  enum Register {
    static let id: UInt64 = 0x20
    static let eoi: UInt64 = 0xB0
    static let spurious: UInt64 = 0xF0
    static let lvtTimer: UInt64 = 0x320
    static let timerInitial: UInt64 = 0x380
    static let timerCurrent: UInt64 = 0x390
    static let timerDivide: UInt64 = 0x3E0
  }

  nonisolated(unsafe) static var base: UInt64 = 0

  static func read(_ r: UInt64) -> UInt32 { arch_mmio_read32(base + r) }
  static func write(_ r: UInt64, _ v: UInt32) { arch_mmio_write32(base + r, v) }

  /// Enables the LAPIC (global enable in the MSR, software enable in the spurious register).
  static func enable() {
    let msr = arch_rdmsr(baseMSR)
    arch_wrmsr(baseMSR, msr | (1 << 11))
    base = KernelMemory.virtual(msr & 0xF_FFFF_F000)
    write(Register.spurious, 0x100 | UInt32(Vector.spurious))
  }

  static func endOfInterrupt() {
    if base != 0 { write(Register.eoi, 0) }
  }
}
