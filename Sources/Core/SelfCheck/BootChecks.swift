/// Self-checks for the boot-information parsers and the frame allocator, on synthesized
/// blocks (the kernel cannot rely on its own loader to produce corrupt input).
extension SelfCheck {
  static var bootCases: [Case] {
    [
      Case("multiboot1 parses a memory map") {
        guard let info = try? Multiboot.parse(magic: Multiboot.magic1, info: 0x1000, reader: SampleBoot.multiboot1())
        else { return false }
        return info.memoryMap.count == 2 && info.memoryMap[1].length == 0x7F0_0000
          && info.commandLine == Array("ticks=5".utf8)
      },
      Case("multiboot1 without a memory map is refused") {
        do throws(BootInfoError) {
          _ = try Multiboot.parse(magic: Multiboot.magic1, info: 0x1000, reader: SampleBoot.multiboot1(flags: 0))
          return false
        } catch { return error == .noMemoryMap }
      },
      Case("multiboot2 parses modules and memory map") {
        guard let info = try? Multiboot.parse(magic: Multiboot.magic2, info: 0x2000, reader: SampleBoot.multiboot2())
        else { return false }
        return info.memoryMap.count == 2 && info.modules.count == 1 && info.modules[0].start == 0x40_0000
      },
      Case("multiboot2 tag past the end is refused") {
        do throws(BootInfoError) {
          _ = try Multiboot.parse(
            magic: Multiboot.magic2, info: 0x2000, reader: SampleBoot.multiboot2(corruptTagSize: true))
          return false
        } catch {
          if case .malformedTag = error { return true }
          return false
        }
      },
      Case("unknown loader magic is refused") {
        (try? Multiboot.parse(magic: 0xDEAD_BEEF, info: 0, reader: ByteArrayMemory(base: 0, bytes: []))) == nil
      },
    ]
  }

  static var allocatorCases: [Case] {
    [
      Case("usable memory excludes reserved ranges") {
        let map = [
          MemoryRegion(start: 0, length: 0x9_F000, kind: .available),
          MemoryRegion(start: 0x10_0000, length: 0x100_0000, kind: .available),
          MemoryRegion(start: 0x20_0000, length: 0x1000, kind: .reserved),
        ]
        let free = UsableMemory.frames(memoryMap: map, reserved: [FrameRange(start: 0x100, end: 0x180)])
        return free == [FrameRange(start: 0x180, end: 0x200), FrameRange(start: 0x201, end: 0x1100)]
      },
      Case("frame allocator never hands out a frame twice") {
        var a = FrameAllocator(free: [FrameRange(start: 10, end: 14)])
        var seen: [UInt64] = []
        while let f = a.allocate() { seen.append(f.raw) }
        let refusedDouble = a.release(MFN(11)) && !a.release(MFN(11))
        return seen == [10, 11, 12, 13] && refusedDouble && a.freeCount == 1
      },
    ]
  }
}

/// Synthesized Multiboot blocks, shared by the self-check and the host tests.
public enum SampleBoot {
  static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
  }
  static func put64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) {
    for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
  }

  /// A Multiboot1 info block at 0x1000 with a command line and a two-entry memory map.
  public static func multiboot1(flags: UInt32 = (1 << 6) | (1 << 2)) -> ByteArrayMemory {
    var b = [UInt8](repeating: 0, count: 0x200)
    put32(&b, 0, flags)
    put32(&b, 16, 0x1100)   // cmdline
    put32(&b, 44, 48)       // mmap_length: two 24-byte entries
    put32(&b, 48, 0x1080)   // mmap_addr
    for (i, (start, len, type)) in [(UInt64(0), UInt64(0x9_FC00), UInt32(1)), (0x10_0000, 0x7F0_0000, 1)].enumerated() {
      let e = 0x80 + i * 24
      put32(&b, e, 20)
      put64(&b, e + 4, start)
      put64(&b, e + 12, len)
      put32(&b, e + 20, type)
    }
    for (i, c) in "ticks=5".utf8.enumerated() { b[0x100 + i] = c }
    return ByteArrayMemory(base: 0x1000, bytes: b)
  }

  /// A Multiboot2 info block at 0x2000: one module tag, one memory-map tag, end tag.
  public static func multiboot2(corruptTagSize: Bool = false) -> ByteArrayMemory {
    var b = [UInt8](repeating: 0, count: 0x100)
    var o = 8
    // module tag: type 3, size 16 + "g\0"
    put32(&b, o, 3); put32(&b, o + 4, 18); put32(&b, o + 8, 0x40_0000); put32(&b, o + 12, 0x40_2000)
    b[o + 16] = UInt8(ascii: "g")
    o += 24
    // memory map tag: type 6, entry size 24, two entries
    put32(&b, o, 6); put32(&b, o + 4, corruptTagSize ? 0x1000 : 16 + 48); put32(&b, o + 8, 24)
    put64(&b, o + 16, 0); put64(&b, o + 24, 0x9_F000); put32(&b, o + 32, 1)
    put64(&b, o + 40, 0x10_0000); put64(&b, o + 48, 0x100_0000); put32(&b, o + 56, 1)
    o += 64
    put32(&b, o, 0); put32(&b, o + 4, 8)
    o += 8
    put32(&b, 0, UInt32(o))
    return ByteArrayMemory(base: 0x2000, bytes: b)
  }
}
