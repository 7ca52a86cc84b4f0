import KernelArch

/// COM1, a 16550 UART driven by polling (no interrupts: the console must work inside
/// exception handlers and before the IDT exists).
enum Serial {
  static let base: UInt16 = 0x3F8

  /// 115200 baud, 8 data bits, no parity, one stop bit, FIFOs on.
  static func initialize() {
    arch_outb(base + 1, 0x00)        // no interrupts
    arch_outb(base + 3, 0x80)        // DLAB on: next two writes set the divisor
    arch_outb(base + 0, 0x01)        // divisor 1 = 115200 baud
    arch_outb(base + 1, 0x00)
    arch_outb(base + 3, 0x03)        // DLAB off, 8N1
    arch_outb(base + 2, 0xC7)        // FIFOs on, cleared, 14-byte threshold
    arch_outb(base + 4, 0x03)        // DTR | RTS
  }
}
