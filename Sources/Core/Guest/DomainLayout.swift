/// The start-of-day virtual layout of a PV domain, computed the way Xen's PV builder does
/// (xen/include/public/xen.h, "Start-of-day memory layout"):
///
///   virtualStart ─┬─ kernel image (its PT_LOAD segments)
///                 ├─ boot module, if any                     [mod_start, mod_len]
///                 ├─ phys-to-machine list, 8 bytes per page  [mfn_list]
///                 ├─ start_info page                         [RSI at entry]
///                 ├─ bootstrap page tables (read-only)       [pt_base, CR3]
///                 ├─ bootstrap stack (one page)              [RSP at entry]
///   virtualEnd ───┘ rounded up to 4 MiB with at least 512 KiB of slack
///
/// Every element is page-aligned, and the whole range is backed by pseudo-physical frames
/// 0, 1, 2, … in order, so virtual address v maps pfn (v - virtualStart) / 4096.
public struct DomainLayout: Equatable, Sendable {
  public var virtualStart: UInt64
  public var moduleStart: UInt64
  public var moduleLength: UInt64
  public var p2mStart: UInt64
  public var startInfo: UInt64
  public var pageTablesStart: UInt64
  public var pageTableCount: UInt64
  public var stackStart: UInt64
  public var virtualEnd: UInt64
  /// Pages of the domain the layout occupies (all of them mapped at start of day).
  public var mappedPages: UInt64 { (virtualEnd - virtualStart) >> 12 }
  /// Initial stack pointer: the top of the bootstrap stack.
  public var stackTop: UInt64 { stackStart + 4096 }

  public enum Failure: Error, Equatable, Sendable {
    /// The domain's memory cannot hold the bootstrap region.
    case notEnoughMemory(neededPages: UInt64, havePages: UInt64)
    /// The bootstrap region would overflow or reach a reserved range.
    case addressOverflow
  }

  /// Plans the layout for an image spanning [imageStart, imageEnd), a module of
  /// `moduleLength` bytes and a domain of `pages` pages.
  public static func plan(
    imageStart: UInt64, imageEnd: UInt64, moduleLength: UInt64, pages: UInt64
  ) throws(Failure) -> DomainLayout {
    func pageUp(_ v: UInt64) throws(Failure) -> UInt64 {
      let (s, o) = v.addingReportingOverflow(0xFFF)
      guard !o else { throw .addressOverflow }
      return s & ~0xFFF
    }
    func add(_ a: UInt64, _ b: UInt64) throws(Failure) -> UInt64 {
      let (s, o) = a.addingReportingOverflow(b)
      guard !o else { throw .addressOverflow }
      return s
    }
    let start = imageStart & ~0xFFF
    let moduleStart = try pageUp(imageEnd)
    let p2m = try pageUp(try add(moduleStart, moduleLength))
    let (p2mBytes, o) = pages.multipliedReportingOverflow(by: 8)
    guard !o else { throw .addressOverflow }
    let startInfo = try pageUp(try add(p2m, p2mBytes))
    let ptStart = try add(startInfo, 4096)

    // The page tables map the region that contains them, so grow the count until it covers
    // itself (Xen's loop in dom0_construct_pv).
    var count: UInt64 = 1
    var end: UInt64 = 0
    while true {
      let stack = try add(ptStart, count << 12)
      end = try roundedEnd(try add(stack, 4096))
      let needed = tablesNeeded(start: start, end: end)
      if needed <= count { break }
      count = needed
    }
    let stack = ptStart + (count << 12)
    if ReservedVirtualRanges.overlaps(start: start, end: end) { throw .addressOverflow }
    let layout = DomainLayout(
      virtualStart: start, moduleStart: moduleStart, moduleLength: moduleLength, p2mStart: p2m,
      startInfo: startInfo, pageTablesStart: ptStart, pageTableCount: count, stackStart: stack,
      virtualEnd: end)
    guard layout.mappedPages <= pages else {
      throw .notEnoughMemory(neededPages: layout.mappedPages, havePages: pages)
    }
    return layout
  }

  /// 4 MiB-aligned end with at least 512 KiB of slack after `v`.
  static func roundedEnd(_ v: UInt64) throws(Failure) -> UInt64 {
    let mask: UInt64 = (4 << 20) - 1
    let (padded, o1) = v.addingReportingOverflow(512 << 10)
    let (up, o2) = padded.addingReportingOverflow(mask)
    guard !o1, !o2 else { throw .addressOverflow }
    return up & ~mask
  }

  /// Tables at each level to map [start, end): one L4, plus one L3 per 512 GiB, one L2 per
  /// GiB and one L1 per 2 MiB touched.
  public static func tablesNeeded(start: UInt64, end: UInt64) -> UInt64 {
    guard end > start else { return 1 }
    func spans(_ shift: UInt64) -> UInt64 { ((end - 1) >> shift) - (start >> shift) + 1 }
    return 1 + spans(39) + spans(30) + spans(21)
  }

  /// The pseudo-physical frame backing virtual address `v` in the bootstrap region.
  public func pfn(of v: UInt64) -> UInt64? {
    guard v >= virtualStart, v < virtualEnd else { return nil }
    return (v - virtualStart) >> 12
  }
}
