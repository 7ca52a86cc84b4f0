// The pass/fail protocol between the kernel and the host: a byte written to QEMU's isa-debug-exit port.
//
// Decision 0002 (docs/decisions/0002-exit-status.md). The kernel writes one byte `v` to I/O port 0xf4.
// QEMU's isa-debug-exit device then exits with status `(v << 1) | 1`:
//
//     guest writes v      QEMU exit status      meaning
//     ---------------     ----------------      -------------------------------------
//     (nothing)           0                     QEMU quit on its own (shutdown, monitor quit)
//     0x10                33                    success: every check passed
//     0x11                35                    failure: a check failed, the kernel stopped cleanly
//     0x12                37                    panic: exception or Swift trap, dump printed
//     other v             2v+1                  unknown code, reported as such
//
// QEMU itself exits with 1 on its own errors (bad option, missing file), which is also what v = 0 would
// give; the kernel never writes 0, so status 1 is always read as a QEMU error.

/// The values the kernel writes to the isa-debug-exit port (0xf4), and their decoding.
public enum GuestExit {
  /// I/O port of QEMU's `isa-debug-exit` device, as passed with `-device isa-debug-exit,iobase=0xf4`.
  public static let port: UInt16 = 0xf4
  /// Written when the boot (or self-test) succeeded. QEMU exits with 33.
  public static let success: UInt8 = 0x10
  /// Written when a check failed but the kernel stopped in order. QEMU exits with 35.
  public static let failure: UInt8 = 0x11
  /// Written by the panic path after dumping an exception or trap. QEMU exits with 37.
  public static let panic: UInt8 = 0x12

  /// The QEMU exit status that writing `value` produces.
  public static func qemuStatus(for value: UInt8) -> Int32 {
    (Int32(value) << 1) | 1
  }
}

/// What the guest reported, decoded from QEMU's exit status.
public enum GuestStatus: Equatable, Sendable, CustomStringConvertible {
  /// The guest wrote `GuestExit.success`.
  case success
  /// The guest wrote `GuestExit.failure`.
  case failure
  /// The guest wrote `GuestExit.panic`.
  case panic
  /// The guest wrote some other value to the debug-exit port.
  case unknown(UInt8)
  /// QEMU exited with 0: the guest shut the machine down (or QEMU was told to quit) without a debug exit.
  case noDebugExit
  /// QEMU failed by itself (even exit status, or 1), e.g. a bad option; or was killed by a signal.
  case qemuError(Int32)
  /// The host killed QEMU because the timeout expired.
  case timedOut

  /// Decodes a QEMU exit status. `timedOut` wins over any status, since the host killed QEMU.
  public init(qemuStatus status: Int32, timedOut: Bool = false) {
    if timedOut {
      self = .timedOut
    } else if status == 0 {
      self = .noDebugExit
    } else if status > 1 && status <= 511 && status & 1 == 1 {
      let value = UInt8((status - 1) >> 1)
      switch value {
      case GuestExit.success: self = .success
      case GuestExit.failure: self = .failure
      case GuestExit.panic: self = .panic
      default: self = .unknown(value)
      }
    } else {
      self = .qemuError(status)
    }
  }

  /// The exit code `bulkhead run` uses: 0 success, 1 any guest failure or QEMU error, 124 timeout.
  public var cliExitCode: Int32 {
    switch self {
    case .success: 0
    case .timedOut: 124
    default: 1
    }
  }

  public var description: String {
    switch self {
    case .success: "success"
    case .failure: "failure"
    case .panic: "panic"
    case .unknown(let v): "unknown debug-exit value 0x\(String(v, radix: 16))"
    case .noDebugExit: "QEMU exited without a debug exit"
    case .qemuError(let s): "QEMU error (status \(s))"
    case .timedOut: "timed out"
    }
  }
}
