/// GRUB's bitmap font format (PFF2), read from a boot module, so the framebuffer console can
/// draw text with the font already on the boot medium (docs/decisions/0005-framebuffer-font.md).
///
/// Layout: sections of { 4-byte name, big-endian u32 length, data }: FILE ("PFF2"), NAME, …,
/// MAXW, MAXH, ASCE, DESC, CHIX (9-byte entries: code point u32, flags u8, offset u32, all
/// big-endian, sorted by code point), then DATA (length 0xFFFFFFFF: to the end). A glyph at an
/// offset: width u16, height u16, x offset i16, y offset i16, advance i16, then width × height
/// bits, row-major, most significant bit first, rows not padded.
public struct PF2Font: Sendable {
  public struct Glyph: Sendable {
    public var width: Int
    public var height: Int
    public var xOffset: Int
    public var yOffset: Int
    /// Horizontal advance to the next glyph (the cell width of a fixed-width font).
    public var advance: Int
    /// Absolute address of the first bitmap byte.
    var bitmap: UInt64
  }

  public var maxWidth: Int
  public var maxHeight: Int
  public var ascent: Int
  var base: UInt64
  var length: UInt64
  var index: UInt64
  var indexCount: Int

  public enum Failure: Error, Equatable, Sendable {
    case notPF2
    case truncated
    case missingSection
  }

  public static func parse<R: PhysicalMemoryReader>(reader: R, base: UInt64, length: UInt64) throws(Failure) -> PF2Font {
    func be16(_ o: UInt64) throws(Failure) -> Int {
      guard o + 2 <= length, let a = reader.readU8(at: base + o), let b = reader.readU8(at: base + o + 1) else { throw .truncated }
      return Int(a) << 8 | Int(b)
    }
    func be32(_ o: UInt64) throws(Failure) -> UInt64 {
      var v: UInt64 = 0
      for k in 0..<UInt64(4) {
        guard o + k < length, let b = reader.readU8(at: base + o + k) else { throw .truncated }
        v = v << 8 | UInt64(b)
      }
      return v
    }
    guard length >= 12, try be32(0) == 0x4649_4C45, try be32(8) == 0x5046_4632 else { throw .notPF2 }  // "FILE" "PFF2"
    var font = PF2Font(maxWidth: 0, maxHeight: 0, ascent: 0, base: base, length: length, index: 0, indexCount: 0)
    var o: UInt64 = 0
    var sections = 0
    while o + 8 <= length && sections < 64 {
      let name = try be32(o)
      let size = try be32(o + 4)
      let data = o + 8
      switch name {
      case 0x4D41_5857: font.maxWidth = try be16(data)       // MAXW
      case 0x4D41_5848: font.maxHeight = try be16(data)      // MAXH
      case 0x4153_4345: font.ascent = try be16(data)         // ASCE
      case 0x4348_4958:                                      // CHIX
        guard data + size <= length else { throw .truncated }
        font.index = data
        font.indexCount = Int(size / 9)
      case 0x4441_5441:                                      // DATA: the rest of the file
        guard font.index != 0, font.maxWidth > 0, font.maxHeight > 0 else { throw .missingSection }
        return font
      default: break
      }
      guard size < length else { throw .truncated }
      o = data + size
      sections += 1
    }
    throw .missingSection
  }

  /// The glyph for `codePoint` (binary search in CHIX), nil if the font lacks it or it is damaged.
  public func glyph<R: PhysicalMemoryReader>(_ codePoint: UInt32, reader: R) -> Glyph? {
    func be(_ o: UInt64, _ n: UInt64) -> UInt64? {
      var v: UInt64 = 0
      for k in 0..<n {
        guard o + k < length, let b = reader.readU8(at: base + o + k) else { return nil }
        v = v << 8 | UInt64(b)
      }
      return v
    }
    var lo = 0, hi = indexCount - 1
    while lo <= hi {
      let mid = (lo + hi) / 2
      let entry = index + UInt64(mid) * 9
      guard let cp = be(entry, 4) else { return nil }
      if cp == UInt64(codePoint) {
        guard let offset = be(entry + 5, 4), let w = be(offset, 2), let h = be(offset + 2, 2),
          let xo = be(offset + 4, 2), let yo = be(offset + 6, 2), let adv = be(offset + 8, 2), w <= 64, h <= 64,
          offset + 10 + (w * h + 7) / 8 <= length
        else { return nil }
        return Glyph(width: Int(w), height: Int(h), xOffset: Int(Int16(truncatingIfNeeded: xo)),
                     yOffset: Int(Int16(truncatingIfNeeded: yo)), advance: Int(Int16(truncatingIfNeeded: adv)),
                     bitmap: base + offset + 10)
      }
      if cp < UInt64(codePoint) { lo = mid + 1 } else { hi = mid - 1 }
    }
    return nil
  }

  /// Whether pixel (x, y) of `glyph` is set.
  public func pixel<R: PhysicalMemoryReader>(_ glyph: Glyph, x: Int, y: Int, reader: R) -> Bool {
    guard x >= 0, y >= 0, x < glyph.width, y < glyph.height else { return false }
    let bit = y * glyph.width + x
    guard let byte = reader.readU8(at: glyph.bitmap + UInt64(bit / 8)) else { return false }
    return byte & (0x80 >> UInt8(bit % 8)) != 0
  }
}
