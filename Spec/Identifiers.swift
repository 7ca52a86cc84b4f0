// Identifiers: every number that names a thing gets its own type.
//
// A domain id, a machine frame number and an event-channel port are all small integers in Xen's
// ABI. Mixing them up is a classic source of isolation bugs (passing a guest frame number where a
// machine frame number was expected is how several XSAs started), so the model never uses a bare
// integer for any of them.

/// A domain identifier (Xen `domid_t`, 16 bits).
public struct DomID: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The raw 16-bit Xen domain id.
  public var raw: UInt16
  /// Wraps a raw domain id.
  public init(_ raw: UInt16) { self.raw = raw }
  /// Domain 0, the privileged control domain created at boot.
  public static let dom0 = DomID(0)
  public static func < (a: DomID, b: DomID) -> Bool { a.raw < b.raw }
  public var description: String { "d\(raw)" }
}

/// A machine frame number: physical address >> 12. Bits 12..51 of a PTE hold one.
public struct MFN: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The raw frame number (a 40-bit quantity on x86-64).
  public var raw: UInt64
  /// Wraps a raw machine frame number.
  public init(_ raw: UInt64) { self.raw = raw }
  /// The machine (physical) address of the first byte of this frame.
  public var address: UInt64 { raw << 12 }
  /// The machine address of entry `index` (0..<512) when this frame is read as a page table.
  public func entryAddress(_ index: Int) -> UInt64 { address | (UInt64(index) << 3) }
  public static func < (a: MFN, b: MFN) -> Bool { a.raw < b.raw }
  public var description: String { "mfn\(raw)" }
}

/// A virtual CPU: the domain it belongs to and its index inside that domain.
public struct VCPUID: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The owning domain.
  public var domain: DomID
  /// The vCPU's index within its domain (0-based).
  public var index: Int
  /// Names vCPU `index` of `domain`.
  public init(_ domain: DomID, _ index: Int) {
    self.domain = domain
    self.index = index
  }
  public static func < (a: VCPUID, b: VCPUID) -> Bool {
    (a.domain, a.index) < (b.domain, b.index)
  }
  public var description: String { "\(domain)v\(index)" }
}

/// A physical CPU index (0-based).
public typealias PCPU = Int

/// A grant reference: an index into the granting domain's grant table (Xen `grant_ref_t`).
public struct GrantRef: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The raw index.
  public var raw: UInt32
  /// Wraps a raw grant reference.
  public init(_ raw: UInt32) { self.raw = raw }
  public static func < (a: GrantRef, b: GrantRef) -> Bool { a.raw < b.raw }
  public var description: String { "gref\(raw)" }
}

/// A grant handle: names one mapping held by the *grantee* (Xen `grant_handle_t`, per domain).
public struct GrantHandle: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The raw handle number, unique within the grantee domain.
  public var raw: UInt32
  /// Wraps a raw grant handle.
  public init(_ raw: UInt32) { self.raw = raw }
  public static func < (a: GrantHandle, b: GrantHandle) -> Bool { a.raw < b.raw }
  public var description: String { "handle\(raw)" }
}

/// An event-channel port number, local to one domain (Xen `evtchn_port_t`). Port 0 is never valid.
public struct Port: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The raw port number.
  public var raw: UInt32
  /// Wraps a raw port number.
  public init(_ raw: UInt32) { self.raw = raw }
  public static func < (a: Port, b: Port) -> Bool { a.raw < b.raw }
  public var description: String { "port\(raw)" }
}
