import KernelArch

/// The kernel's GDT, TSS and IDT.
///
/// GDT layout (selectors):
///   0x08 kernel code (64-bit)   0x10 kernel data   0x30 TSS (two slots)
///   0xe023 ring-3 code (32-bit) 0xe02b ring-3 data 0xe033 ring-3 code (64-bit)
/// The ring-3 selectors are Xen's FLAT_RING3_* (xen-x86_64.h), so PV guests written for Xen
/// run unchanged; they sit in Xen's reserved range of the GDT (entries 0x1C00 and up), and in
/// the order SYSRET needs: SS = STAR[63:48] + 8, CS = STAR[63:48] + 16.
enum Descriptors {
  static let kernelCode: UInt16 = 0x08
  static let kernelData: UInt16 = 0x10
  static let guestCode32: UInt16 = 0xE023
  static let guestData: UInt16 = 0xE02B
  static let guestCode64: UInt16 = 0xE033
  static let tssSelector: UInt16 = 0x30
  /// Entries in the GDT: up to and including Xen's reserved range.
  static let gdtEntries = 0x1C08

  /// Interrupt stack table slots: exceptions that may arrive on a broken stack get their own.
  static let istDoubleFault: UInt8 = 1
  static let istNMI: UInt8 = 2
  static let istMachineCheck: UInt8 = 3

  nonisolated(unsafe) static var gdt = UnsafeMutablePointer<UInt64>.allocate(capacity: gdtEntries)
  nonisolated(unsafe) static var idt = UnsafeMutablePointer<UInt64>.allocate(capacity: 512)
  /// The 104-byte 64-bit TSS, as 13 quadwords.
  nonisolated(unsafe) static var tss = UnsafeMutablePointer<UInt64>.allocate(capacity: 13)

  static func install() {
    for i in 0..<gdtEntries { gdt[i] = 0 }
    gdt[1] = 0x00AF_9A00_0000_FFFF   // code, ring 0, L=1
    gdt[2] = 0x00CF_9200_0000_FFFF   // data, ring 0
    gdt[Int(guestCode32 >> 3)] = 0x00CF_FA00_0000_FFFF   // code, ring 3, 32-bit
    gdt[Int(guestData >> 3)] = 0x00CF_F200_0000_FFFF     // data, ring 3
    gdt[Int(guestCode64 >> 3)] = 0x00AF_FA00_0000_FFFF   // code, ring 3, L=1

    for i in 0..<13 { tss[i] = 0 }
    let rsp0 = stackTop(kernelStack)
    setTSS(rsp0Offset: 4, rsp0)                        // RSP0
    setTSS(rsp0Offset: 36, stackTop(istStacks[0]))     // IST1
    setTSS(rsp0Offset: 44, stackTop(istStacks[1]))     // IST2
    setTSS(rsp0Offset: 52, stackTop(istStacks[2]))     // IST3
    // I/O permission bitmap offset beyond the limit: no port access from ring 3.
    UnsafeMutableRawPointer(tss).storeBytes(of: UInt16(104), toByteOffset: 102, as: UInt16.self)

    let base = UInt64(UInt(bitPattern: tss))
    let limit: UInt64 = 103
    gdt[6] = (limit & 0xFFFF) | ((base & 0xFF_FFFF) << 16) | (0x89 << 40) | (((base >> 24) & 0xFF) << 56)
    gdt[7] = base >> 32

    arch_lgdt(UInt64(UInt(bitPattern: gdt)), UInt16(gdtEntries * 8 - 1))
    arch_reload_segments(kernelCode, kernelData)
    arch_ltr(tssSelector)

    for v in 0..<256 {
      let ist: UInt8
      switch v {
      case 2: ist = istNMI
      case 8: ist = istDoubleFault
      case 18: ist = istMachineCheck
      default: ist = 0
      }
      setGate(vector: v, handler: arch_isr_stub(Int32(v)), ist: ist)
    }
    arch_lidt(UInt64(UInt(bitPattern: idt)), UInt16(256 * 16 - 1))
    arch_set_trap_stack(rsp0)
    enableSyscall()
  }

  /// SYSCALL is how a 64-bit PV guest enters the hypervisor (the Xen hypercall page's stubs).
  static func enableSyscall() {
    let efer: UInt32 = 0xC000_0080, star: UInt32 = 0xC000_0081
    let lstar: UInt32 = 0xC000_0082, fmask: UInt32 = 0xC000_0084
    arch_wrmsr(efer, arch_rdmsr(efer) | 1)                         // SCE
    // STAR[47:32]: SYSCALL loads CS = 0x08, SS = 0x10. STAR[63:48]: SYSRET's base, 0xe023.
    arch_wrmsr(star, (UInt64(guestCode32) << 48) | (UInt64(kernelCode) << 32))
    arch_wrmsr(lstar, arch_syscall_entry())
    // Cleared on entry: IF (no interrupt before the stack switch), TF, DF, AC, NT.
    arch_wrmsr(fmask, (1 << 9) | (1 << 8) | (1 << 10) | (1 << 18) | (1 << 14))
  }

  /// A 64-bit interrupt gate, DPL 0: guests cannot `int` into the kernel through these.
  static func setGate(vector: Int, handler: UInt64, ist: UInt8) {
    let low = (handler & 0xFFFF) | (UInt64(kernelCode) << 16) | (UInt64(ist) << 32)
      | (0x8E << 40) | (((handler >> 16) & 0xFFFF) << 48)
    idt[2 * vector] = low
    idt[2 * vector + 1] = handler >> 32
  }

  static func setTSS(rsp0Offset: Int, _ value: UInt64) {
    UnsafeMutableRawPointer(tss).storeBytes(of: value, toByteOffset: rsp0Offset, as: UInt64.self)
  }

  static let stackSize = 16384
  nonisolated(unsafe) static var kernelStack = UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16)
  nonisolated(unsafe) static var istStacks = [
    UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16),
    UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16),
    UnsafeMutableRawPointer.allocate(byteCount: stackSize, alignment: 16),
  ]

  static func stackTop(_ p: UnsafeMutableRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) + UInt64(stackSize) }
}
