import KernelArch

/// The x86-64 PV hypercall ABI: number in RAX, arguments in RDI, RSI, RDX, R10, R8; the
/// result in RAX, negative errno on failure. Every hypercall goes through `dispatchOne`, the
/// one table; every unknown or unsupported number returns -ENOSYS.
struct HypercallArgs {
  var a1, a2, a3, a4, a5: UInt64
}

enum Hypercalls {
  /// Inside a multicall (no iret, no nesting).
  nonisolated(unsafe) static var inMulticall = false

  static func fail(_ e: HypercallError) -> Int64 { -Int64(e.rawValue) }
  static let DOMID_SELF: UInt64 = 0x7FF0

  /// Entry from the SYSCALL path. The frame is the guest's; RAX gets the result.
  static func dispatch(_ frame: UnsafeMutablePointer<TrapFrame>) {
    guard let v = Machine.current else {
      frame.pointee.rax = UInt64(bitPattern: fail(.ENOSYS))
      return
    }
    let f = frame.pointee
    let nr = f.rax
    if nr == Hypercall.iret.rawValue {
      TrapOps.iret(v, frame)
    } else {
      let args = HypercallArgs(a1: f.rdi, a2: f.rsi, a3: f.rdx, a4: f.r10, a5: f.r8)
      let result = dispatchOne(nr, args, v)
      frame.pointee.rax = UInt64(bitPattern: result)
      InvariantChecks.record(v, nr, args, result)
    }
    InvariantChecks.afterHypercall()
    Run.reschedule(frame)
  }

  static func dispatchOne(_ nr: UInt64, _ a: HypercallArgs, _ v: VCPU) -> Int64 {
    guard let call = Hypercall(rawValue: nr) else { return fail(.ENOSYS) }
    switch call {
    case .consoleIO: return ConsoleOps.consoleIO(v, a)
    case .xenVersion: return ConsoleOps.xenVersion(v, a)
    case .schedOp: return SchedOps.schedOp(v, a)
    case .setTimerOp: return SchedOps.setTimerOp(v, a)
    case .vcpuOp: return SchedOps.vcpuOp(v, a)
    case .setTrapTable: return TrapOps.setTrapTable(v, a)
    case .setCallbacks: return TrapOps.setCallbacks(v, a)
    case .callbackOp: return TrapOps.callbackOp(v, a)
    case .stackSwitch: return TrapOps.stackSwitch(v, a)
    case .fpuTaskswitch: return TrapOps.fpuTaskswitch(v, a)
    case .setSegmentBase: return TrapOps.setSegmentBase(v, a)
    case .mmuUpdate: return MemoryOps.mmuUpdate(v, a)
    case .mmuextOp: return MemoryOps.mmuextOp(v, a)
    case .updateVaMapping: return MemoryOps.updateVaMapping(v, a)
    case .memoryOp: return MemoryOps.memoryOp(v, a)
    case .eventChannelOp: return EventOps.eventChannelOp(v, a)
    case .grantTableOp: return GrantOps.grantTableOp(v, a)
    case .multicall: return Multicall.multicall(v, a)
    case .domctl: return DomctlOps.domctl(v, a)
    case .vmAssist: return 0   // no assists implemented; accepting keeps Xen-era guests going
    case .iret: return fail(.EINVAL)   // only as a top-level call, not inside a multicall
    default: return fail(.ENOSYS)
    }
  }

  /// Resolves a domid argument that must name the caller (DOMID_SELF or its own id).
  static func isSelf(_ v: VCPU, _ domid: UInt64) -> Bool {
    let d = domid & 0xFFFF
    return d == DOMID_SELF || d == UInt64(v.domain.id.raw)
  }
}

/// multicall: a batch of hypercalls, each entry { op, result, args[6] } (64 bytes). Results
/// are written back; the batch stops at an entry whose memory cannot be read.
enum Multicall {
  static let maxEntries: UInt64 = 512

  static func multicall(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    guard !Hypercalls.inMulticall else { return Hypercalls.fail(.EINVAL) }
    guard a.a2 <= maxEntries else { return Hypercalls.fail(.EINVAL) }
    Hypercalls.inMulticall = true
    defer { Hypercalls.inMulticall = false }
    var w: [UInt64] = []
    w.reserveCapacity(7)
    for i in 0..<a.a2 {
      let e = a.a1 &+ i * 64
      // One read of the entry: { op, result, args[0..4] } (the sixth argument is unused here).
      guard GuestCopy.readWords(v, e, count: 7, into: &w) else { return Hypercalls.fail(.EFAULT) }
      let (op, a1, a2, a3, a4, a5) = (w[0], w[2], w[3], w[4], w[5], w[6])
      let r = op == Hypercall.multicall.rawValue || op == Hypercall.iret.rawValue
        ? Hypercalls.fail(.EINVAL)
        : Hypercalls.dispatchOne(op, HypercallArgs(a1: a1, a2: a2, a3: a3, a4: a4, a5: a5), v)
      guard GuestCopy.writeU64(v, e + 8, UInt64(bitPattern: r)) else { return Hypercalls.fail(.EFAULT) }
      if !v.runnable { break }
    }
    return 0
  }
}
