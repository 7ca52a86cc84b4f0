// Identifiers of the Xen ABI the core deals in. Every number that names a thing has its own type
// (the Spec's Identifiers.swift has the same names, so a test converts them field by field).

/// A domain identifier (Xen `domid_t`, 16 bits).
public struct DomID: Hashable, Comparable, Sendable {
  /// The raw 16-bit Xen domain id.
  public var raw: UInt16
  /// Wraps a raw domain id.
  @inlinable public init(_ raw: UInt16) { self.raw = raw }
  /// Domain 0, the privileged control domain created at boot.
  public static let dom0 = DomID(0)
  @inlinable public static func < (a: DomID, b: DomID) -> Bool { a.raw < b.raw }
}

/// A virtual CPU: its domain and its index inside that domain.
public struct VCPUID: Hashable, Sendable {
  /// The owning domain.
  public var domain: DomID
  /// The vCPU's index within its domain (0-based; negative never names a vCPU).
  public var index: Int
  /// Names vCPU `index` of `domain`.
  @inlinable public init(_ domain: DomID, _ index: Int) {
    self.domain = domain
    self.index = index
  }
}

/// A grant reference: an index into the granting domain's grant table (Xen `grant_ref_t`).
public struct GrantRef: Hashable, Sendable {
  /// The raw index.
  public var raw: UInt32
  /// Wraps a raw grant reference.
  @inlinable public init(_ raw: UInt32) { self.raw = raw }
}

/// A grant handle: names one mapping held by the grantee (Xen `grant_handle_t`).
public struct GrantHandle: Hashable, Sendable {
  /// The raw handle, unique within the grantee domain.
  public var raw: UInt32
  /// Wraps a raw grant handle.
  @inlinable public init(_ raw: UInt32) { self.raw = raw }
}
