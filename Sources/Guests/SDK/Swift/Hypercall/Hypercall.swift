/// Raw hypercalls: a number and up to five 64-bit arguments, through the hypercall page.
import GuestArch

/// The Xen hypercall numbers this SDK uses (xen/include/public/xen.h).
enum HypercallNumber: UInt32 {
  case setTrapTable = 0
  case mmuUpdate = 1
  case setCallbacks = 4
  case memoryOp = 12
  case multicall = 13
  case updateVAMapping = 14
  case setTimerOp = 15
  case xenVersion = 17
  case consoleIO = 18
  case grantTableOp = 20
  case vcpuOp = 24
  case mmuextOp = 26
  case schedOp = 29
  case eventChannelOp = 32
  case physdevOp = 33
}

enum Hypercall {
  /// Calls stub `nr` of the hypercall page and returns rax unchanged.
  @inline(__always)
  static func raw(
    _ nr: HypercallNumber, _ a1: UInt64 = 0, _ a2: UInt64 = 0, _ a3: UInt64 = 0, _ a4: UInt64 = 0,
    _ a5: UInt64 = 0
  ) -> Int64 {
    guest_hypercall(nr.rawValue, a1, a2, a3, a4, a5)
  }

  /// Calls stub `nr`; a negative result becomes a `XenError`, anything else is returned.
  @inline(__always)
  static func call(
    _ nr: HypercallNumber, _ a1: UInt64 = 0, _ a2: UInt64 = 0, _ a3: UInt64 = 0, _ a4: UInt64 = 0,
    _ a5: UInt64 = 0
  ) throws(XenError) -> Int64 {
    let r = raw(nr, a1, a2, a3, a4, a5)
    if r < 0 { throw XenError(rawValue: Int32(truncatingIfNeeded: -r)) }
    return r
  }

  /// The guest virtual address of `value`, for hypercalls that take a pointer argument.
  ///
  /// Sound only for the duration of `body`: the pointer comes from `withUnsafeMutablePointer`.
  @inline(__always)
  static func withArgument<T, R>(
    _ value: inout T, _ body: (UInt64) throws(XenError) -> R
  ) throws(XenError) -> R {
    try withUnsafeMutablePointer(to: &value) { (p) throws(XenError) -> R in
      try body(UInt64(UInt(bitPattern: p)))
    }
  }
}
