import KernelArch

/// One virtual CPU of a PV domain: its saved registers and the PV state Xen keeps per vCPU.
final class VCPU {
  let domain: Domain
  let index: Int
  /// Guest registers while the vCPU is not on the CPU (stable storage: entry.S reads it).
  let frame: UnsafeMutablePointer<TrapFrame>
  /// The L4 table the guest runs on (loaded into CR3 when it runs).
  var root: MFN
  /// The guest's virtual IDT from set_trap_table: handler address and flags per vector.
  var trapAddress: [UInt64]
  var trapFlags: [UInt8]
  /// set_callbacks / callback_op.
  var eventCallback: UInt64 = 0
  var failsafeCallback: UInt64 = 0
  var syscallCallback: UInt64 = 0
  /// stack_switch: the guest kernel stack (used when Xen switches from guest user mode).
  var kernelSS: UInt64 = UInt64(Descriptors.guestData)
  var kernelSP: UInt64 = 0
  /// set_segment_base.
  var fsBase: UInt64 = 0
  var gsBaseKernel: UInt64 = 0
  var gsBaseUser: UInt64 = 0
  /// fpu_taskswitch: CR0.TS while this vCPU runs.
  var taskSwitched = false
  /// Single-shot timer deadline in system-time nanoseconds; 0 = none.
  var timerDeadline: UInt64 = 0
  /// Blocked in SCHEDOP_block or SCHEDOP_poll until an event (or `pollDeadline`).
  var blocked = false
  var pollPorts: [UInt32] = []
  var pollDeadline: UInt64 = 0

  init(domain: Domain, index: Int, root: MFN) {
    self.domain = domain
    self.index = index
    self.root = root
    frame = UnsafeMutablePointer<TrapFrame>.allocate(capacity: 1)
    frame.initialize(to: TrapFrame())
    trapAddress = [UInt64](repeating: 0, count: 256)
    trapFlags = [UInt8](repeating: 0, count: 256)
  }

  var id: VCPUID { VCPUID(domain.id, index) }
  var runnable: Bool { !blocked && domain.state == .running }

  /// This vCPU's vcpu_info in shared_info (vcpu_info[index], 64 bytes each).
  var vcpuInfo: UnsafeMutableRawPointer { domain.sharedInfo.advanced(by: index * 64) }

  var upcallPending: Bool {
    get { vcpuInfo.load(as: UInt8.self) != 0 }
    set { vcpuInfo.storeBytes(of: newValue ? 1 : 0, as: UInt8.self) }
  }
  var upcallMask: Bool {
    get { vcpuInfo.load(fromByteOffset: 1, as: UInt8.self) != 0 }
    set { vcpuInfo.storeBytes(of: newValue ? 1 : 0, toByteOffset: 1, as: UInt8.self) }
  }
  /// vcpu_info.arch.cr2, where a PV guest reads the faulting address of a bounced #PF.
  func setCR2(_ v: UInt64) { vcpuInfo.storeBytes(of: v, toByteOffset: 16, as: UInt64.self) }
}
