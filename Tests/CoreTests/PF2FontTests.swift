import BulkheadCore
import Foundation
import PropertyBased
import Testing

@Suite struct PF2FontTests {
  static let path = "/usr/share/grub/ascii.pf2"

  @Test func readsGRUBsASCIIFont() throws {
    guard let data = FileManager.default.contents(atPath: Self.path) else {
      try Test.cancel("skipped: \(Self.path) missing (Debian grub-common)")
    }
    let mem = ByteArrayMemory(base: 0x10_0000, bytes: [UInt8](data))
    let font = try PF2Font.parse(reader: mem, base: 0x10_0000, length: UInt64(data.count))
    #expect(font.maxHeight == 16 && font.ascent == 14)
    let a = try #require(font.glyph(UInt32(UInt8(ascii: "A")), reader: mem))
    var lit = 0
    for y in 0..<a.height { for x in 0..<a.width where font.pixel(a, x: x, y: y, reader: mem) { lit += 1 } }
    #expect(lit > 10, "an 'A' has ink")
    #expect(font.glyph(0x4E00, reader: mem) == nil, "no CJK in the ASCII font")
  }

  @Test func damagedFontsAreRefusedNotTrapped() async throws {
    guard let data = FileManager.default.contents(atPath: Self.path) else {
      try Test.cancel("skipped: \(Self.path) missing")
    }
    let good = [UInt8](data)
    await propertyCheck(count: 300, input: Gen.int(in: 0...1600), Gen.uint8()) { index, value in
      var bytes = good
      bytes[index] = value
      let mem = ByteArrayMemory(base: 0, bytes: bytes)
      if let font = try? PF2Font.parse(reader: mem, base: 0, length: UInt64(bytes.count)) {
        for c in UInt32(32)..<127 { _ = font.glyph(c, reader: mem) }
        #expect(font.maxWidth > 0 && font.maxHeight > 0, "a parsed font has a cell size")
      }
    }
  }
}
