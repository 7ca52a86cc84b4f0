/// A half-open range of machine frames `[start, end)`.
public struct FrameRange: Equatable, Sendable {
  public var start: UInt64
  public var end: UInt64
  public init(start: UInt64, end: UInt64) {
    self.start = start
    self.end = end
  }
  public var count: UInt64 { end > start ? end - start : 0 }
}

/// Turns the firmware memory map into the frames the hypervisor may hand out.
///
/// Only whole 4 KiB frames inside `available` regions survive, minus every reserved range
/// (firmware reservations that overlap available ones, the kernel image, the boot modules,
/// the info block, and the first MiB, which holds the BIOS data area and real-mode
/// structures). Overlaps and unsorted input are normal on real firmware.
public enum UsableMemory {
  /// The sorted, disjoint frame ranges that are free to allocate.
  public static func frames(
    memoryMap: [MemoryRegion], reserved extraReserved: [FrameRange]
  ) -> [FrameRange] {
    var usable: [FrameRange] = []
    for r in memoryMap where r.kind == .available {
      let first = (r.start &+ 0xFFF) >> 12
      let last = r.end >> 12
      if r.start <= UInt64.max - 0xFFF, last > first { usable.append(FrameRange(start: first, end: last)) }
    }
    var holes = extraReserved
    holes.append(FrameRange(start: 0, end: 0x100))   // the first MiB
    for r in memoryMap where r.kind != .available {
      holes.append(FrameRange(start: r.start >> 12, end: (r.end &+ 0xFFF) >> 12))
    }
    var result = normalize(usable)
    for h in holes where h.count > 0 { result = subtract(h, from: result) }
    return result
  }

  /// Sorts ranges and merges the overlapping or touching ones.
  static func normalize(_ ranges: [FrameRange]) -> [FrameRange] {
    let sorted = ranges.filter { $0.count > 0 }.sorted { $0.start < $1.start }
    var out: [FrameRange] = []
    for r in sorted {
      if let last = out.last, r.start <= last.end {
        out[out.count - 1].end = max(last.end, r.end)
      } else {
        out.append(r)
      }
    }
    return out
  }

  static func subtract(_ hole: FrameRange, from ranges: [FrameRange]) -> [FrameRange] {
    var out: [FrameRange] = []
    for r in ranges {
      if hole.end <= r.start || hole.start >= r.end {
        out.append(r)
        continue
      }
      if hole.start > r.start { out.append(FrameRange(start: r.start, end: hole.start)) }
      if hole.end < r.end { out.append(FrameRange(start: hole.end, end: r.end)) }
    }
    return out
  }
}

/// The boot-time physical frame allocator: a sorted list of free ranges.
///
/// Used by the kernel to build its own page tables and to carve out the frame table; the
/// memory-management core keeps per-frame state separately. Allocation takes the lowest
/// free frame (optionally below a limit, for memory reachable through the boot window).
public struct FrameAllocator: Sendable {
  public private(set) var free: [FrameRange]

  public init(free: [FrameRange]) { self.free = UsableMemory.normalize(free) }

  /// Frames still free.
  public var freeCount: UInt64 { free.reduce(0) { $0 + $1.count } }

  /// The lowest free frame below `limit` (a frame number), removed from the free set.
  public mutating func allocate(below limit: UInt64 = UInt64.max) -> MFN? {
    guard let i = free.firstIndex(where: { $0.count > 0 }), free[i].start < limit else { return nil }
    let frame = free[i].start
    free[i].start += 1
    if free[i].count == 0 { free.remove(at: i) }
    return MFN(frame)
  }

  /// `count` contiguous frames, lowest first; nil if no free range is long enough.
  public mutating func allocateContiguous(_ count: UInt64, below limit: UInt64 = UInt64.max) -> FrameRange? {
    guard count > 0, let i = free.firstIndex(where: { $0.count >= count && $0.start + count <= limit }) else {
      return nil
    }
    let r = FrameRange(start: free[i].start, end: free[i].start + count)
    free[i].start += count
    if free[i].count == 0 { free.remove(at: i) }
    return r
  }

  /// Returns a frame. Freeing a frame that is already free is refused (returns false)
  /// rather than corrupting the free set.
  @discardableResult
  public mutating func release(_ frame: MFN) -> Bool {
    let f = frame.raw
    guard f < UInt64.max else { return false }
    var i = 0
    while i < free.count && free[i].end <= f { i += 1 }
    if i < free.count && free[i].start <= f { return false }   // already free
    free.insert(FrameRange(start: f, end: f + 1), at: i)
    free = UsableMemory.normalize(free)
    return true
  }
}
