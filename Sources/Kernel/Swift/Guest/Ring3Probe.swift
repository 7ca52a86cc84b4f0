import KernelArch

/// Boot-time check and measurement of the ring-3 round trip that every hypercall pays:
/// a tiny ring-3 program loops on `syscall`, first straight back with `sysretq` (the floor:
/// hardware cost only), then through the full hypercall path (trap frame, Swift dispatch,
/// `iretq`). It runs in a temporary mapping in the kernel's own page tables, before any
/// domain exists, and proves ring 3, SYSCALL/SYSRET and the trap stack work.
enum Ring3Probe {
  static let codeVA: UInt64 = 0x40_0000
  static let stackVA: UInt64 = 0x40_2000
  static let iterations: UInt32 = 20_000

  /// Hypercall numbers only the probe uses (far outside Xen's range).
  static let floorNumber: UInt64 = 0x7FFF_0000
  static let doneNumber: UInt64 = 0x7FFF_0001
  static let nullNumber: UInt64 = 0x7FFF_0002

  struct Result {
    var floorCycles: UInt64
    var fullPathCycles: UInt64
  }

  nonisolated(unsafe) static var active = false
  nonisolated(unsafe) static var startTSC: UInt64 = 0

  /// The ring-3 loop: `ebx` counts down (SYSCALL clobbers rcx and r11), `eax` is the number.
  static func program(number: UInt64) -> [UInt8] {
    let n = iterations
    let k = UInt32(truncatingIfNeeded: number)
    let d = UInt32(truncatingIfNeeded: doneNumber)
    return [0xBB, UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24),   // mov $n, %ebx
            0xB8, UInt8(k & 0xFF), UInt8((k >> 8) & 0xFF), UInt8((k >> 16) & 0xFF), UInt8(k >> 24),   // mov $k, %eax
            0x0F, 0x05,                                                                                // syscall
            0xFF, 0xCB,                                                                                // dec %ebx
            0x75, 0xF5,                                                                                // jnz -11
            0xB8, UInt8(d & 0xFF), UInt8((d >> 8) & 0xFF), UInt8((d >> 16) & 0xFF), UInt8(d >> 24),   // mov $done, %eax
            0x0F, 0x05,                                                                                // syscall
            0xEB, 0xFE]                                                                                // jmp .
  }

  static func run(allocator: inout FrameAllocator) -> Result? {
    guard let frames = map(allocator: &allocator) else { return nil }
    let floor = measure(number: floorNumber, code: frames[3])
    let full = measure(number: nullNumber, code: frames[3])
    unmap(frames, allocator: &allocator)
    return Result(floorCycles: floor / UInt64(iterations), fullPathCycles: full / UInt64(iterations))
  }

  /// A temporary user mapping in the kernel's own page tables (PML4 slot 0): a read-only code
  /// page at `codeVA` and a writable, non-executable stack page at `stackVA`. Returns the five
  /// frames (PDPT, PD, PT, code, stack).
  static func map(allocator: inout FrameAllocator) -> [MFN]? {
    var frames: [MFN] = []
    for _ in 0..<5 {
      guard let f = allocator.allocate() else { return nil }
      frames.append(f)
      let t = KernelMemory.unsafeTable(f)
      for i in 0..<512 { t[i] = 0 }
    }
    let (pdpt, pd, pt, code, stack) = (frames[0], frames[1], frames[2], frames[3], frames[4])
    let user: UInt64 = 0b111   // present | writable | user at the upper levels
    let root = KernelMemory.unsafeTable(MFN(arch_read_cr3() >> 12))
    root[0] = pdpt.address.raw | user
    KernelMemory.unsafeTable(pdpt)[0] = pd.address.raw | user
    KernelMemory.unsafeTable(pd)[2] = pt.address.raw | user          // 0x40_0000 = PD index 2
    KernelMemory.unsafeTable(pt)[0] = code.address.raw | 0b101       // present | user, read-only
    KernelMemory.unsafeTable(pt)[2] = stack.address.raw | 0b111 | DirectMap.noExecuteIfEnabled
    arch_flush_tlb()
    return frames
  }

  static func unmap(_ frames: [MFN], allocator: inout FrameAllocator) {
    KernelMemory.unsafeTable(MFN(arch_read_cr3() >> 12))[0] = 0
    arch_flush_tlb()
    for f in frames { allocator.release(f) }
  }

  /// Runs `program` in ring 3 and returns the exception it raised (vector, error code), or
  /// nil if it finished without one. Used by the self-test to check page-table enforcement.
  static func expectFault(_ program: [UInt8], code: MFN) -> (vector: UInt64, error: UInt64)? {
    let page = UnsafeMutablePointer<UInt8>(bitPattern: UInt(KernelMemory.virtual(code.address.raw)))!
    let done = UInt32(truncatingIfNeeded: doneNumber)
    let tail: [UInt8] = [0xB8, UInt8(done & 0xFF), UInt8((done >> 8) & 0xFF), UInt8((done >> 16) & 0xFF), UInt8(done >> 24),
                         0x0F, 0x05, 0xEB, 0xFE]
    let bytes = program + tail
    for (i, b) in bytes.enumerated() { page[i] = b }
    arch_flush_tlb()
    var frame = userFrame()
    active = true
    faultTest = true
    let r = arch_enter_guest(&frame)
    active = false
    faultTest = false
    if r & (1 << 63) == 0 { return nil }
    return (r & 0xFF, (r >> 8) & 0xFFFF_FFFF)
  }

  nonisolated(unsafe) static var faultTest = false

  /// Ring 3 at `codeVA` on the probe stack, interrupts on (the timer may preempt the probe).
  static func userFrame() -> TrapFrame {
    var frame = TrapFrame()
    frame.rip = codeVA
    frame.cs = UInt64(Descriptors.guestCode64)
    frame.rflags = 0x202
    frame.rsp = stackVA + 0x1000
    frame.ss = UInt64(Descriptors.guestData)
    return frame
  }

  /// An exception from ring 3 while a fault test runs: report it to `expectFault`.
  static func faulted(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
    guard active && faultTest else { return false }
    arch_resume_host((1 << 63) | (frame.pointee.error_code << 8) | frame.pointee.vector)
  }

  static func measure(number: UInt64, code: MFN) -> UInt64 {
    let bytes = program(number: number)
    let page = UnsafeMutablePointer<UInt8>(bitPattern: UInt(KernelMemory.virtual(code.address.raw)))!
    for (i, b) in bytes.enumerated() { page[i] = b }
    arch_flush_tlb()
    var frame = userFrame()
    active = true
    startTSC = arch_rdtsc()
    let end = arch_enter_guest(&frame)
    active = false
    return end &- startTSC
  }

  /// Called for a SYSCALL from ring 3 while the probe runs. Returns false if the call is not
  /// the probe's (so the caller treats it as a real hypercall).
  static func handle(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
    guard active else { return false }
    switch frame.pointee.rax {
    case doneNumber:
      arch_resume_host(faultTest ? 0 : arch_rdtsc())
    case nullNumber:
      frame.pointee.rax = 0
      return true
    default:
      return false
    }
  }
}
