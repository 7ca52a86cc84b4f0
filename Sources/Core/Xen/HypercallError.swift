// The one error type of the core's hypercalls. Raw values are Xen's (xen/include/public/errno.h);
// the kernel returns them negated in rax. Case names are Xen's C names, as in the Spec's
// `XenErrno`, so the differential tester compares them by raw value and by name.

/// Why a hypercall was refused, as a positive Xen errno. Thrown with `throws(HypercallError)`.
public enum HypercallError: Int32, Error, Sendable, CaseIterable {
  /// `XEN_EPERM` (1): the caller may never do this (privilege, hypervisor frame, wrong grantee).
  case EPERM = 1
  /// `XEN_ENOENT` (2): the named grant entry or grant handle does not exist.
  case ENOENT = 2
  /// `XEN_ESRCH` (3): no such (live) domain or vCPU.
  case ESRCH = 3
  /// `XEN_ENOMEM` (12): no free frame, the domain's reservation is exhausted, or a fixed-size
  /// core table (domain slots, maptrack) is full.
  case ENOMEM = 12
  /// `XEN_EFAULT` (14): a guest address could not be read or written.
  case EFAULT = 14
  /// `XEN_EBUSY` (16): the object is still referenced (pinned, mapped, in use).
  case EBUSY = 16
  /// `XEN_EEXIST` (17): the object already exists (domain id already used).
  case EEXIST = 17
  /// `XEN_EINVAL` (22): a malformed or unsafe argument (bad PTE, type conflict, foreign frame).
  case EINVAL = 22
  /// `XEN_ENOSPC` (28): a fixed-size table is full.
  case ENOSPC = 28
  /// `XEN_ENOSYS` (38): the command is not implemented.
  case ENOSYS = 38

  /// The error for a decision function's result word (`DecisionErrno`), nil for 0 (allowed).
  ///
  /// Decision functions only return the numbers listed here; anything else is reported as
  /// EINVAL so that a decision can never be mistaken for "allowed".
  @inline(__always)
  public init?(decision: UInt64) {
    if decision == 0 { return nil }
    self = HypercallError(rawValue: Int32(truncatingIfNeeded: decision)) ?? .EINVAL
  }

  /// Xen's C name without the `XEN_` prefix, e.g. `"EINVAL"`.
  public var name: StaticString {
    switch self {
    case .EPERM: "EPERM"
    case .ENOENT: "ENOENT"
    case .ESRCH: "ESRCH"
    case .ENOMEM: "ENOMEM"
    case .EFAULT: "EFAULT"
    case .EBUSY: "EBUSY"
    case .EEXIST: "EEXIST"
    case .EINVAL: "EINVAL"
    case .ENOSPC: "ENOSPC"
    case .ENOSYS: "ENOSYS"
    }
  }
}
