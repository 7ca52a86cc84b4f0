// The one error type of the model. Raw values are Xen's (xen/include/public/errno.h); hypercalls
// return them negated. Only the errnos the model actually produces are listed.

/// Why a transition was refused, as a Xen errno. `rawValue` is the positive Xen number.
public enum XenErrno: Int32, Error, Sendable, CaseIterable, CustomStringConvertible {
  /// `XEN_EPERM` (1): the caller may never do this (privilege, hypervisor frame, wrong grantee).
  case EPERM = 1
  /// `XEN_ENOENT` (2): the named grant entry or grant handle does not exist.
  case ENOENT = 2
  /// `XEN_ESRCH` (3): no such (live) domain or vCPU.
  case ESRCH = 3
  /// `XEN_ENOMEM` (12): no free frame, or the domain's reservation is exhausted.
  case ENOMEM = 12
  /// `XEN_EFAULT` (14): a virtual address has no L1 entry to update.
  case EFAULT = 14
  /// `XEN_EBUSY` (16): the object is still referenced (pinned, mapped, in use).
  case EBUSY = 16
  /// `XEN_EEXIST` (17): the object already exists (domain id taken, VIRQ already bound).
  case EEXIST = 17
  /// `XEN_EINVAL` (22): a malformed or unsafe argument (bad PTE, type conflict, foreign frame).
  case EINVAL = 22
  /// `XEN_ENOSPC` (28): a fixed-size table is full (event-channel ports).
  case ENOSPC = 28
  /// `XEN_ENOSYS` (38): the command is not implemented by this model.
  case ENOSYS = 38

  /// Xen's C name without the `XEN_` prefix, e.g. `"EINVAL"`.
  public var name: String {
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

  public var description: String { "\(name)(\(rawValue))" }
}

/// What every transition returns: a result or the errno it was refused with, and the next state.
///
/// The contract: when `result` is a failure, `state` is *equal* to the state the transition was
/// applied to. Tests check this for every refusal.
public typealias Transition<R> = (result: Result<R, XenErrno>, state: SpecState)
