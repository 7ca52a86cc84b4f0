/// The Xen x86-64 hypercall numbers (xen/xen.h), and which of them Bulkhead implements.
///
/// The kernel decodes RAX through this enum and nothing else; a number that is not a case,
/// or a case in `unsupported`, returns -ENOSYS to the guest.
public enum Hypercall: UInt64, Sendable {
  case setTrapTable = 0
  case mmuUpdate = 1
  case setGDT = 2
  case stackSwitch = 3
  case setCallbacks = 4
  case fpuTaskswitch = 5
  case schedOpCompat = 6
  case platformOp = 7
  case setDebugreg = 8
  case getDebugreg = 9
  case updateDescriptor = 10
  case memoryOp = 12
  case multicall = 13
  case updateVaMapping = 14
  case setTimerOp = 15
  case eventChannelOpCompat = 16
  case xenVersion = 17
  case consoleIO = 18
  case physdevOpCompat = 19
  case grantTableOp = 20
  case vmAssist = 21
  case updateVaMappingOtherdomain = 22
  case iret = 23
  case vcpuOp = 24
  case setSegmentBase = 25
  case mmuextOp = 26
  case xsmOp = 27
  case nmiOp = 28
  case schedOp = 29
  case callbackOp = 30
  case xenoprofOp = 31
  case eventChannelOp = 32
  case physdevOp = 33
  case hvmOp = 34
  case sysctl = 35
  case domctl = 36

  /// Numbers the hypercall page gets a stub for (Xen fills the whole page: 4096 / 32).
  public static let pageSlots = 128
}

/// Sub-operation numbers of the hypercalls Bulkhead implements (xen/*.h).
public enum XenOp {
  public static let consoleIOWrite: UInt64 = 0
  public static let consoleIORead: UInt64 = 1

  public static let schedYield: UInt64 = 0
  public static let schedBlock: UInt64 = 1
  public static let schedShutdown: UInt64 = 2
  public static let schedPoll: UInt64 = 3

  public static let shutdownPoweroff: UInt64 = 0
  public static let shutdownReboot: UInt64 = 1
  public static let shutdownCrash: UInt64 = 3

  public static let xenverVersion: UInt64 = 0
  public static let xenverExtraversion: UInt64 = 1
  public static let xenverCapabilities: UInt64 = 3
  public static let xenverGetFeatures: UInt64 = 6
  public static let xenverPagesize: UInt64 = 7

  public static let evtchnBindInterdomain: UInt64 = 0
  public static let evtchnBindVirq: UInt64 = 1
  public static let evtchnClose: UInt64 = 3
  public static let evtchnSend: UInt64 = 4
  public static let evtchnAllocUnbound: UInt64 = 6
  public static let evtchnUnmask: UInt64 = 9

  public static let vcpuSetSingleshotTimer: UInt64 = 8
  public static let vcpuStopSingleshotTimer: UInt64 = 9

  public static let callbackRegister: UInt64 = 0
  public static let callbackTypeEvent: UInt32 = 0
  public static let callbackTypeFailsafe: UInt32 = 1
  public static let callbackTypeSyscall: UInt32 = 2

  public static let segbaseFS: UInt64 = 0
  public static let segbaseGSUser: UInt64 = 1
  public static let segbaseGSKernel: UInt64 = 2

  public static let virqTimer: UInt32 = 0

  public static let xenmemMemoryMap: UInt64 = 10
  public static let xenmemMaximumReservation: UInt64 = 4
  public static let xenmemCurrentReservation: UInt64 = 3

  /// The version Bulkhead reports to `xen_version(XENVER_version)`: the Xen ABI it follows.
  public static let versionMajor: UInt64 = 4
  public static let versionMinor: UInt64 = 17
}
