import KernelArch

/// The PV "virtual CPU" hypercalls: trap table, callbacks, kernel stack, segment bases,
/// lazy FPU, and HYPERVISOR_iret.
enum TrapOps {
  /// A handler address a guest may register: canonical and outside the hypervisor's ranges.
  static func isGuestAddress(_ a: UInt64) -> Bool {
    !ReservedVirtualRanges.overlaps(start: a, end: a &+ 1)
  }

  /// set_trap_table(table): entries { vector u8, flags u8, cs u16, pad u32, address u64 },
  /// ended by address 0. A null table clears every handler.
  static func setTrapTable(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    if a.a1 == 0 {
      for i in 0..<256 { v.trapAddress[i] = 0; v.trapFlags[i] = 0 }
      return 0
    }
    for i in 0..<UInt64(256) {
      let e = a.a1 &+ i * 16
      guard let head = GuestCopy.readU64(v, e), let address = GuestCopy.readU64(v, e + 8) else {
        return Hypercalls.fail(.EFAULT)
      }
      if address == 0 { return 0 }
      guard isGuestAddress(address) else { return Hypercalls.fail(.EINVAL) }
      let vector = Int(head & 0xFF)
      v.trapAddress[vector] = address
      v.trapFlags[vector] = UInt8((head >> 8) & 0xFF)
    }
    return 0
  }

  /// set_callbacks(event, failsafe, syscall).
  static func setCallbacks(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    for x in [a.a1, a.a2, a.a3] where x != 0 && !isGuestAddress(x) { return Hypercalls.fail(.EINVAL) }
    v.eventCallback = a.a1
    v.failsafeCallback = a.a2
    v.syscallCallback = a.a3
    return 0
  }

  /// callback_op(CALLBACKOP_register, { type u16, flags u16, pad, address u64 }).
  static func callbackOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    guard a.a1 == XenOp.callbackRegister else { return Hypercalls.fail(.ENOSYS) }
    guard let head = GuestCopy.readU32(v, a.a2), let address = GuestCopy.readU64(v, a.a2 + 8) else {
      return Hypercalls.fail(.EFAULT)
    }
    guard address == 0 || isGuestAddress(address) else { return Hypercalls.fail(.EINVAL) }
    switch UInt32(head & 0xFFFF) {
    case XenOp.callbackTypeEvent: v.eventCallback = address
    case XenOp.callbackTypeFailsafe: v.failsafeCallback = address
    case XenOp.callbackTypeSyscall: v.syscallCallback = address
    default: return Hypercalls.fail(.EINVAL)
    }
    return 0
  }

  static func stackSwitch(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    v.kernelSS = a.a1 | 3
    v.kernelSP = a.a2
    return 0
  }

  /// fpu_taskswitch(set): the guest's virtual CR0.TS, applied on the way back to ring 3.
  static func fpuTaskswitch(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    v.taskSwitched = a.a1 != 0
    return 0
  }

  /// set_segment_base(which, base). A non-canonical base would make WRMSR fault in the
  /// hypervisor, so it is refused.
  static func setSegmentBase(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    let top = a.a2 >> 47
    guard top == 0 || top == 0x1FFFF else { return Hypercalls.fail(.EINVAL) }
    switch a.a1 {
    case XenOp.segbaseFS:
      v.fsBase = a.a2
      arch_write_fs_base(a.a2)
    case XenOp.segbaseGSUser:
      v.gsBaseUser = a.a2
      arch_write_kernel_gs_base(a.a2)
    case XenOp.segbaseGSKernel:
      v.gsBaseKernel = a.a2
      arch_write_gs_base(a.a2)
    default:
      return Hypercalls.fail(.EINVAL)
    }
    return 0
  }

  /// HYPERVISOR_iret: the guest stack holds { rax, r11, rcx, flags, rip, cs, rflags, rsp, ss }
  /// (the hypercall-page stub pushed the first three). Restores them, ring 3 forced, IOPL 0,
  /// and the event mask from the saved virtual IF.
  static func iret(_ v: VCPU, _ frame: UnsafeMutablePointer<TrapFrame>) {
    var w: [UInt64] = []
    let sp = frame.pointee.rsp
    for i in 0..<UInt64(9) {
      guard let x = GuestCopy.readU64(v, sp &+ i * 8) else {
        GuestFaults.crash(v.domain, "HYPERVISOR_iret: unreadable frame")
        return
      }
      w.append(x)
    }
    guard isGuestAddress(w[4]), isGuestAddress(w[7]) || w[7] == 0 else {
      GuestFaults.crash(v.domain, "HYPERVISOR_iret: return address in hypervisor space")
      return
    }
    frame.pointee.rax = w[0]
    frame.pointee.r11 = w[1]
    frame.pointee.rcx = w[2]
    frame.pointee.rip = w[4]
    frame.pointee.cs = UInt64(Descriptors.guestCode64)
    // IF always on in hardware; IOPL, NT, VM, VIF cleared.
    let cleared: UInt64 = (3 << 12) | (1 << 14) | (1 << 17) | (1 << 19) | (1 << 20)
    frame.pointee.rflags = (w[6] | 0x200) & ~cleared
    frame.pointee.rsp = w[7]
    frame.pointee.ss = UInt64(Descriptors.guestData)
    v.upcallMask = w[6] & 0x200 == 0
  }
}
