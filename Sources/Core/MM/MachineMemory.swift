// How the core reads and writes the frames guests build their page tables in.
//
// Page tables live in guest-owned frames. The core never holds a pointer to one; it goes
// through this small protocol, so tests run against an in-memory model and the kernel against
// its direct map (the kernel's conformance computes `directMapBase + mfn << 12 + index << 3`).
// Callers only pass frames below the machine's frame count.

/// Word-granular access to machine frames (512 64-bit words each).
public protocol MachineMemory {
  /// Word `index` (0..<512) of frame `frame`.
  func readEntry(frame: MFN, index: Int) -> UInt64
  /// Stores `value` into word `index` of `frame`.
  mutating func writeEntry(frame: MFN, index: Int, value: UInt64)
  /// Fills `frame` with zeros (scrubbing: the next owner learns nothing).
  mutating func zeroFrame(_ frame: MFN)
  /// Copies all of `source` over `dest` (equal frames: no effect).
  mutating func copyFrame(from source: MFN, to dest: MFN)
  /// Whether every word of `frame` is zero (invariant checks; a default reads all 512 words).
  func isZeroFrame(_ frame: MFN) -> Bool
}

extension MachineMemory {
  /// Reads all 512 words.
  public func isZeroFrame(_ frame: MFN) -> Bool {
    for i in 0..<512 where readEntry(frame: frame, index: i) != 0 { return false }
    return true
  }
}

/// Host memory: frames are zero until written; a written frame gets a 4 KiB page from a pool.
///
/// The per-frame index costs 4 bytes, so a 4M-frame machine needs 16 MiB of index and only as
/// many pages as frames ever written.
public struct PagedMachineMemory: MachineMemory {
  /// Page slot of each frame, -1 for an all-zero frame.
  @usableFromInline var slotOf: [Int32]
  /// The pages, 512 words each.
  @usableFromInline var words: [UInt64] = []
  /// Released page slots.
  @usableFromInline var freeSlots: [Int32] = []

  /// A machine of `frameCount` zero frames.
  public init(frameCount: Int) { slotOf = [Int32](repeating: -1, count: frameCount) }

  @inlinable public func readEntry(frame: MFN, index: Int) -> UInt64 {
    let s = slotOf[Int(truncatingIfNeeded: frame.raw)]
    return s < 0 ? 0 : words[Int(s) &* 512 &+ index]
  }

  @inlinable public mutating func writeEntry(frame: MFN, index: Int, value: UInt64) {
    let f = Int(truncatingIfNeeded: frame.raw)
    var s = slotOf[f]
    if s < 0 {
      if value == 0 { return }
      s = allocateSlot()
      slotOf[f] = s
    }
    words[Int(s) &* 512 &+ index] = value
  }

  public mutating func zeroFrame(_ frame: MFN) {
    let f = Int(truncatingIfNeeded: frame.raw)
    let s = slotOf[f]
    guard s >= 0 else { return }
    let base = Int(s) * 512
    for i in 0..<512 { words[base + i] = 0 }
    slotOf[f] = -1
    freeSlots.append(s)
  }

  public mutating func copyFrame(from source: MFN, to dest: MFN) {
    if source == dest { return }
    for i in 0..<512 { writeEntry(frame: dest, index: i, value: readEntry(frame: source, index: i)) }
  }

  /// O(1) when the frame has no page.
  public func isZeroFrame(_ frame: MFN) -> Bool {
    let s = slotOf[Int(truncatingIfNeeded: frame.raw)]
    if s < 0 { return true }
    for i in 0..<512 where words[Int(s) * 512 + i] != 0 { return false }
    return true
  }

  /// Whether `frame` has never been written with a non-zero value since it was last zeroed.
  public func isUntouched(_ frame: MFN) -> Bool { slotOf[Int(truncatingIfNeeded: frame.raw)] < 0 }

  @usableFromInline mutating func allocateSlot() -> Int32 {
    if let s = freeSlots.popLast() { return s }
    let s = Int32(words.count / 512)
    words.append(contentsOf: repeatElement(0, count: 512))
    return s
  }
}
