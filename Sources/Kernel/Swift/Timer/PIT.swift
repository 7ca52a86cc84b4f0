import KernelArch

/// The 8254 PIT, used once: as the reference clock that calibrates the LAPIC timer and
/// the TSC. Channel 2 is used because its output can be polled (port 0x61 bit 5) without
/// taking an interrupt.
enum PIT {
  static let frequency: UInt64 = 1_193_182

  /// Starts a one-shot countdown of `microseconds` on channel 2.
  static func startOneShot(microseconds: UInt64) {
    let count = UInt16(truncatingIfNeeded: frequency * microseconds / 1_000_000)
    let gate = arch_inb(0x61)
    arch_outb(0x61, (gate & ~0x02) | 0x01)   // gate on, speaker off
    arch_outb(0x43, 0xB0)                    // channel 2, lo/hi byte, mode 0 (one-shot)
    arch_outb(0x42, UInt8(count & 0xFF))
    arch_outb(0x42, UInt8(count >> 8))
    let g = arch_inb(0x61) & ~0x01             // restart the count: gate low then high
    arch_outb(0x61, g)
    arch_outb(0x61, g | 0x01)
  }

  /// True once the one-shot count has reached zero. Bounded by the caller.
  static var expired: Bool { arch_inb(0x61) & 0x20 != 0 }
}

/// The legacy 8259 PICs, remapped away from the exception vectors and fully masked: the
/// kernel uses the LAPIC only, but a PIC left at its BIOS setting would deliver IRQ 0 as
/// vector 8 (#DF).
enum LegacyPIC {
  static func remapAndMask() {
    arch_outb(0x20, 0x11); arch_outb(0xA0, 0x11)   // ICW1: init, ICW4 follows
    arch_outb(0x21, 0x20); arch_outb(0xA1, 0x28)   // ICW2: vector bases 0x20, 0x28
    arch_outb(0x21, 0x04); arch_outb(0xA1, 0x02)   // ICW3: cascade on IRQ 2
    arch_outb(0x21, 0x01); arch_outb(0xA1, 0x01)   // ICW4: 8086 mode
    arch_outb(0x21, 0xFF); arch_outb(0xA1, 0xFF)   // mask everything
  }
}
