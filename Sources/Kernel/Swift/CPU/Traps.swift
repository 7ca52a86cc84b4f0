import KernelArch

/// Vectors 0–31 are CPU exceptions; 32 and up are interrupts we program.
enum Vector {
  /// Not a hardware vector: entry.S's SYSCALL path marks its frames with it.
  static let syscall: UInt64 = 0x100
  static let timer: UInt64 = 0x20
  static let spurious: UInt64 = 0xFF
}

/// Every interrupt and exception enters here from entry.S, on the kernel stack, with the
/// full register frame. Interrupts return; an exception in the kernel is fatal.
@_cdecl("bulkhead_trap")
func bulkheadTrap(_ frame: UnsafeMutablePointer<TrapFrame>) {
  // The hypervisor itself uses x87 (Swift's hash tables size themselves with Double), so it
  // must never run with a guest's CR0.TS set; the exit path puts it back for the guest.
  if arch_read_cr0() & 8 != 0 { arch_clts() }
  defer { Run.applyTaskSwitched(frame) }
  let vector = frame.pointee.vector
  switch vector {
  case Vector.timer:
    Timer.tick()
    if !Machine.domains.isEmpty { Run.tick(frame) }
  case Vector.syscall:
    if !Ring3Probe.handle(frame) { Hypercalls.dispatch(frame) }
  case Vector.spurious:
    break   // the LAPIC's spurious vector needs no EOI
  case 0..<32:
    // A guest's exception is the guest's problem; the hypervisor's is fatal.
    if frame.pointee.cs & 3 == 3 && Ring3Probe.faulted(frame) {
      return
    } else if frame.pointee.cs & 3 == 3 && Machine.current != nil {
      GuestFaults.handle(frame)
    } else {
      ExceptionDump.fatal(frame)
    }
  default:
    Log.warn("trap: unexpected vector \(hex(vector))")
    LAPIC.endOfInterrupt()
  }
}

/// The readable dump printed for an exception the kernel cannot handle.
enum ExceptionDump {
  static func mnemonic(_ vector: UInt64) -> StaticString {
    switch vector {
    case 0: return "#DE divide error"
    case 1: return "#DB debug"
    case 2: return "NMI"
    case 3: return "#BP breakpoint"
    case 4: return "#OF overflow"
    case 5: return "#BR bound range"
    case 6: return "#UD invalid opcode"
    case 7: return "#NM device not available"
    case 8: return "#DF double fault"
    case 10: return "#TS invalid TSS"
    case 11: return "#NP segment not present"
    case 12: return "#SS stack fault"
    case 13: return "#GP general protection"
    case 14: return "#PF page fault"
    case 16: return "#MF x87 floating point"
    case 17: return "#AC alignment check"
    case 18: return "#MC machine check"
    case 19: return "#XM SIMD floating point"
    case 20: return "#VE virtualization"
    case 21: return "#CP control protection"
    default: return "reserved"
    }
  }

  static func fatal(_ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    let f = frame.pointee
    Console.write("[fatal] EXCEPTION ")
    Console.write(mnemonic(f.vector))
    Console.write(" (vector ")
    Console.writeDecimal(f.vector)
    Console.write(") error=")
    Console.writeHex(f.error_code)
    Console.newline()
    Console.write("[fatal]   RIP=")
    Console.writeHex(f.rip, digits: 16)
    Console.write(" ")
    Symbols.writeSymbol(f.rip)
    if f.vector == 6 { Console.write("  (a Swift runtime trap: precondition, overflow or bounds check)") }
    Console.newline()
    Console.write("[fatal]   CS=")
    Console.writeHex(f.cs)
    Console.write(" RFLAGS=")
    Console.writeHex(f.rflags)
    Console.write(" RSP=")
    Console.writeHex(f.rsp, digits: 16)
    Console.write(" SS=")
    Console.writeHex(f.ss)
    Console.newline()
    Console.write("[fatal]   CR2=")
    Console.writeHex(arch_read_cr2(), digits: 16)
    Console.write(" CR3=")
    Console.writeHex(arch_read_cr3(), digits: 16)
    Console.newline()
    Console.write("[fatal]  ")
    reg("RAX", f.rax); reg("RBX", f.rbx); reg("RCX", f.rcx); reg("RDX", f.rdx)
    Console.write("\n[fatal]  ")
    reg("RSI", f.rsi); reg("RDI", f.rdi); reg("RBP", f.rbp); reg("R8 ", f.r8)
    Console.write("\n[fatal]  ")
    reg("R9 ", f.r9); reg("R10", f.r10); reg("R11", f.r11); reg("R12", f.r12)
    Console.write("\n[fatal]  ")
    reg("R13", f.r13); reg("R14", f.r14); reg("R15", f.r15)
    Console.newline()
    backtrace(rbp: f.rbp)
    Console.write("[fatal] bulkhead: exiting with panic\n")
    exitQEMU(.panic)
  }

  static func reg(_ name: StaticString, _ v: UInt64) {
    Console.write(" ")
    Console.write(name)
    Console.write("=")
    Console.writeHex(v, digits: 16)
  }

  /// Frame-pointer walk, bounded and checked, so a corrupt stack ends the walk instead of
  /// faulting inside the fault handler.
  static func backtrace(rbp start: UInt64) {
    var rbp = start
    var depth = 0
    while depth < 16, rbp & 7 == 0, rbp < UInt64.max - 16 {
      guard isKernelAddress(rbp) else { break }
      let ret = arch_read_u64(rbp + 8)
      guard ret >= arch_text_start(), ret < arch_text_end() else { break }
      Console.write("[fatal]   #")
      Console.writeDecimal(UInt64(depth))
      Console.write(" ")
      Console.writeHex(ret, digits: 16)
      Console.write(" ")
      Symbols.writeSymbol(ret)
      Console.newline()
      rbp = arch_read_u64(rbp)
      depth += 1
    }
  }

  static func isKernelAddress(_ a: UInt64) -> Bool {
    a >= arch_image_start() && a < arch_image_end()
  }
}
