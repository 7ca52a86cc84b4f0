/// memory_op: how much memory this domain has and may have; giving frames back and getting more.
import GuestArch

enum MemoryOp {
  private static func query(_ cmd: Int32) throws(XenError) -> Int64 {
    var domid = UInt16(XEN_DOMID_SELF)
    return try Hypercall.withArgument(&domid) { (p) throws(XenError) in
      try Hypercall.call(.memoryOp, UInt64(cmd), p)
    }
  }

  /// XENMEM_current_reservation: pages this domain holds now.
  static func currentReservation() throws(XenError) -> Int64 { try query(XEN_XENMEM_current_reservation) }

  /// XENMEM_maximum_reservation: the most pages it may hold.
  static func maximumReservation() throws(XenError) -> Int64 { try query(XEN_XENMEM_maximum_reservation) }

  /// XENMEM_maximum_ram_page: the highest machine frame number of RAM.
  static func maximumRAMPage() throws(XenError) -> Int64 {
    try Hypercall.call(.memoryOp, UInt64(XEN_XENMEM_maximum_ram_page), 0)
  }

  /// XENMEM_decrease_reservation: gives the frames `mfns` back; returns how many were released.
  /// The caller must have unmapped them and cleared their P->M entries first.
  static func decreaseReservation(_ mfns: [UInt64]) throws(XenError) -> Int64 {
    try reservation(XEN_XENMEM_decrease_reservation, mfns)
  }

  /// XENMEM_increase_reservation: asks for `count` more frames; returns their MFNs.
  static func increaseReservation(count: Int) throws(XenError) -> [UInt64] {
    var frames = [UInt64](repeating: 0, count: count)
    let n = try reservation(XEN_XENMEM_increase_reservation, &frames)
    return Array(frames.prefix(Int(n)))
  }

  /// XENMEM_populate_physmap: backs the pseudo-physical frames `pfns` with new machine frames
  /// (order 0) and returns their MFNs (a PV guest gets the MFNs written back; the M->P table
  /// already says mfn -> pfn, the guest's own P->M list is its business). Returns fewer MFNs
  /// than asked when the reservation runs out part-way.
  static func populatePhysmap(pfns: [UInt64]) throws(XenError) -> [UInt64] {
    var frames = pfns
    let n = try reservation(XEN_XENMEM_populate_physmap, &frames)
    return Array(frames.prefix(Int(n)))
  }

  private static func reservation(_ cmd: Int32, _ frames: [UInt64]) throws(XenError) -> Int64 {
    var copy = frames
    return try reservation(cmd, &copy)
  }

  private static func reservation(_ cmd: Int32, _ frames: inout [UInt64]) throws(XenError) -> Int64 {
    let count = UInt64(frames.count)
    return try frames.withUnsafeMutableBufferPointer { (buf) throws(XenError) -> Int64 in
      var r = xen_mem_reservation(
        extent_start: UInt64(UInt(bitPattern: buf.baseAddress)), nr_extents: count, extent_order: 0,
        mem_flags: 0, domid: UInt16(XEN_DOMID_SELF))
      return try Hypercall.withArgument(&r) { (p) throws(XenError) in try Hypercall.call(.memoryOp, UInt64(cmd), p) }
    }
  }
}
