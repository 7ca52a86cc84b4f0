/// A failed hypercall: the negative return value, as Xen's errno (xen/include/public/errno.h).
///
/// A struct of named constants rather than an enum, so an errno the SDK has no name for is
/// still representable (`XenError(rawValue: 95)`).
struct XenError: Error, Equatable {
  /// The positive Xen errno.
  let rawValue: Int32

  init(rawValue: Int32) { self.rawValue = rawValue }

  /// EPERM: operation not permitted.
  static let notPermitted = XenError(rawValue: 1)
  /// ENOENT: no such entry (e.g. an unbound port).
  static let noEntry = XenError(rawValue: 2)
  /// ESRCH: no such domain.
  static let noSuchDomain = XenError(rawValue: 3)
  /// EAGAIN: try again.
  static let tryAgain = XenError(rawValue: 11)
  /// ENOMEM: out of memory.
  static let outOfMemory = XenError(rawValue: 12)
  /// EACCES: permission denied.
  static let accessDenied = XenError(rawValue: 13)
  /// EFAULT: a guest pointer could not be read or written.
  static let badAddress = XenError(rawValue: 14)
  /// EBUSY: resource busy.
  static let busy = XenError(rawValue: 16)
  /// EEXIST: already exists (e.g. VIRQ already bound).
  static let exists = XenError(rawValue: 17)
  /// EINVAL: invalid argument.
  static let invalid = XenError(rawValue: 22)
  /// ENOSPC: no space (e.g. no free event channel).
  static let noSpace = XenError(rawValue: 28)
  /// ENOSYS: hypercall or sub-op not implemented.
  static let notImplemented = XenError(rawValue: 38)

  /// "errno N" (Embedded Swift has no String(describing:)).
  var text: String { "errno \(rawValue)" }
}
