/// A machine frame number: a 4 KiB frame of host physical memory (Xen's "MFN").
///
/// Frame numbers and addresses are distinct types so that a byte address can never be
/// used where a frame index is meant, or the other way round.
public struct MFN: Hashable, Comparable, Sendable {
  /// The frame index (physical address >> 12).
  public var raw: UInt64

  @inlinable public init(_ raw: UInt64) { self.raw = raw }

  /// The frame holding `address` (rounded down).
  @inlinable public init(containing address: PhysAddr) { self.raw = address.raw >> 12 }

  /// The physical address of the frame's first byte.
  @inlinable public var address: PhysAddr { PhysAddr(raw << 12) }

  @inlinable public static func < (a: MFN, b: MFN) -> Bool { a.raw < b.raw }
}

/// A host physical byte address.
public struct PhysAddr: Hashable, Comparable, Sendable {
  public var raw: UInt64

  @inlinable public init(_ raw: UInt64) { self.raw = raw }

  @inlinable public static func < (a: PhysAddr, b: PhysAddr) -> Bool { a.raw < b.raw }

  /// `self + offset`, or nil on overflow. Guest-supplied values always go through this.
  @inlinable public func adding(_ offset: UInt64) -> PhysAddr? {
    let (sum, overflow) = raw.addingReportingOverflow(offset)
    return overflow ? nil : PhysAddr(sum)
  }

  /// Rounded up to the next 4 KiB boundary, or nil on overflow.
  @inlinable public var pageRoundedUp: PhysAddr? {
    let (sum, overflow) = raw.addingReportingOverflow(0xFFF)
    return overflow ? nil : PhysAddr(sum & ~0xFFF)
  }

  /// Rounded down to a 4 KiB boundary.
  @inlinable public var pageRoundedDown: PhysAddr { PhysAddr(raw & ~0xFFF) }
}

/// Bytes per page (and per frame).
public let pageSize: UInt64 = 4096
