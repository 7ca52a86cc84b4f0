// Where the frame table and the M2P table live. The core is generic over this protocol:
//
//   - host (tests, replay, bench): `ArrayFrameStorage`, two Swift arrays;
//   - kernel: `UnsafeFrameStorage`, two buffers the kernel carves out of the frame allocator
//     before the first domain exists (24 bytes per frame, see FrameRecord.swift).

/// Storage for one `FrameRecord` and one M2P word per machine frame, indexed by MFN.
public protocol FrameStorage {
  /// Number of frames (MFN 0..<frameCount).
  var frameCount: Int { get }
  /// The record of frame `index` (0 <= index < frameCount; callers check).
  subscript(record index: Int) -> FrameRecord { get set }
  /// The M2P word of frame `index` (meaningful when `record.hasM2P`).
  subscript(m2p index: Int) -> UInt64 { get set }
}

/// Host storage: two arrays.
public struct ArrayFrameStorage: FrameStorage {
  @usableFromInline var records: [FrameRecord]
  @usableFromInline var m2pWords: [UInt64]

  /// `count` free frames.
  public init(frameCount count: Int) {
    records = [FrameRecord](repeating: .free, count: count)
    m2pWords = [UInt64](repeating: 0, count: count)
  }

  @inlinable public var frameCount: Int { records.count }
  @inlinable public subscript(record index: Int) -> FrameRecord {
    get { records[index] }
    set { records[index] = newValue }
  }
  @inlinable public subscript(m2p index: Int) -> UInt64 {
    get { m2pWords[index] }
    set { m2pWords[index] = newValue }
  }
}

/// Kernel storage: caller-supplied memory that outlives the memory manager.
public struct UnsafeFrameStorage: FrameStorage {
  @usableFromInline let records: UnsafeMutableBufferPointer<FrameRecord>
  @usableFromInline let m2pWords: UnsafeMutableBufferPointer<UInt64>

  /// Wraps two buffers of equal length and initializes every frame as free.
  ///
  /// Unsafe: the buffers must be exclusively owned by this storage for as long as it is used
  /// (the kernel allocates them once at boot and never frees them), and `records.count` must
  /// equal `m2pWords.count`. They are (re)initialized here, so their prior contents do not matter.
  public init(
    unsafeRecords records: UnsafeMutableBufferPointer<FrameRecord>,
    m2p m2pWords: UnsafeMutableBufferPointer<UInt64>
  ) {
    precondition(records.count == m2pWords.count, "UnsafeFrameStorage: buffer lengths differ")
    self.records = records
    self.m2pWords = m2pWords
    // Sound: both buffers are valid for `count` elements and FrameRecord/UInt64 are trivial.
    records.initialize(repeating: .free)
    m2pWords.initialize(repeating: 0)
  }

  /// Bytes the kernel must reserve for `frameCount` frames: records plus M2P words.
  public static func bytesNeeded(frameCount: Int) -> Int {
    frameCount * (MemoryLayout<FrameRecord>.stride + MemoryLayout<UInt64>.stride)
  }

  @inlinable public var frameCount: Int { records.count }
  @inlinable public subscript(record index: Int) -> FrameRecord {
    get { records[index] }
    nonmutating set { records[index] = newValue }
  }
  @inlinable public subscript(m2p index: Int) -> UInt64 {
    get { m2pWords[index] }
    nonmutating set { m2pWords[index] = newValue }
  }
}
