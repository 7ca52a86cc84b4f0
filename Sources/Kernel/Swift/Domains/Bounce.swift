import KernelArch

/// Xen's bounce frame: how the hypervisor makes a PV guest take an exception or an event
/// upcall. On the guest's kernel stack, 16-byte aligned, from the lowest address:
///
///     RCX, R11, [ERROR CODE], RIP, CS | saved upcall mask << 32, RFLAGS, RSP, SS
///
/// then the guest resumes at `handler` with that stack. RFLAGS.IF in the frame is the
/// guest's virtual interrupt flag (the inverse of its upcall mask), so HYPERVISOR_iret can
/// restore the mask.
enum Bounce {
  static func toGuest(
    _ v: VCPU, _ frame: UnsafeMutablePointer<TrapFrame>, handler: UInt64, errorCode: UInt64?, maskEvents: Bool
  ) -> Bool {
    let f = frame.pointee
    var words: [UInt64] = [f.rcx, f.r11]
    if let e = errorCode { words.append(e) }
    let mask: UInt64 = v.upcallMask ? 1 : 0
    let rflags = (f.rflags & ~UInt64(0x200)) | (mask == 0 ? 0x200 : 0)
    words += [f.rip, (f.cs & 0xFFFF) | (mask << 32), rflags, f.rsp, f.ss]
    let size = UInt64(words.count * 8)
    let sp = (f.rsp & ~0xF) &- size
    guard GuestCopy.toGuest(v, va: sp, words: words) else { return false }
    frame.pointee.rsp = sp
    frame.pointee.rip = handler
    frame.pointee.cs = UInt64(Descriptors.guestCode64)
    frame.pointee.ss = UInt64(Descriptors.guestData)
    // Hardware IF stays on (the guest runs in ring 3); clear TF, NT, RF, AC for the handler.
    let cleared: UInt64 = (1 << 8) | (1 << 14) | (1 << 16) | (1 << 18)
    frame.pointee.rflags = (f.rflags | 0x200) & ~cleared
    if maskEvents { v.upcallMask = true }
    return true
  }
}
