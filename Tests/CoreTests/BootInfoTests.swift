import BulkheadCore
import PropertyBased
import Testing

@Suite struct BootInfoTests {
  @Test func selfCheckPassesOnTheHost() {
    let report = SelfCheck.run()
    #expect(report.failures.isEmpty, "failed: \(report.failures.map { "\($0)" })")
    #expect(report.total >= 7)
  }

  @Test func multiboot1ReadsMapAndCommandLine() throws {
    let info = try Multiboot.parse(magic: Multiboot.magic1, info: 0x1000, reader: SampleBoot.multiboot1())
    #expect(info.bootProtocol == .multiboot1)
    #expect(info.memoryMap == [
      MemoryRegion(start: 0, length: 0x9_FC00, kind: .available),
      MemoryRegion(start: 0x10_0000, length: 0x7F0_0000, kind: .available),
    ])
    #expect(info.optionValue("ticks") == Array("5".utf8))
    #expect(info.optionValue("tick") == nil)
    #expect(info.hasOption("ticks"))
  }

  @Test func multiboot2ReadsModules() throws {
    let info = try Multiboot.parse(magic: Multiboot.magic2, info: 0x2000, reader: SampleBoot.multiboot2())
    #expect(info.modules == [BootModule(start: 0x40_0000, end: 0x40_2000, string: [UInt8(ascii: "g")])])
    #expect(info.memoryMap.count == 2)
  }

  @Test func corruptBlocksAreRefusedWithAReason() {
    #expect(throws: BootInfoError.noMemoryMap) {
      try Multiboot.parse(magic: Multiboot.magic1, info: 0x1000, reader: SampleBoot.multiboot1(flags: 0))
    }
    #expect(throws: BootInfoError.unknownMagic(0x1234)) {
      try Multiboot.parse(magic: 0x1234, info: 0, reader: SampleBoot.multiboot1())
    }
    #expect(throws: BootInfoError.unreadable(address: 0x9000)) {
      try Multiboot.parse(magic: Multiboot.magic1, info: 0x9000, reader: SampleBoot.multiboot1())
    }
    #expect(throws: BootInfoError.malformedTag(offset: 32)) {
      try Multiboot.parse(magic: Multiboot.magic2, info: 0x2000, reader: SampleBoot.multiboot2(corruptTagSize: true))
    }
  }

  /// Any bytes at all: the parser returns or throws, never traps, and never loops forever.
  @Test func randomBytesNeverCrashTheParsers() async {
    await propertyCheck(count: 300, input: Gen.uint8().array(of: 0...512), Gen.bool) { bytes, two in
      let memory = ByteArrayMemory(base: 0x1000, bytes: bytes)
      let result = try? Multiboot.parse(magic: two ? Multiboot.magic2 : Multiboot.magic1, info: 0x1000, reader: memory)
      if let r = result { #expect(!r.memoryMap.isEmpty && r.memoryMap.count <= BootLimits.maxRegions) }
      else { #expect(result == nil) }
    }
  }

  @Test func usableMemoryNeverIncludesReservedFrames() async {
    await propertyCheck(count: 200, input: Gen.uint64(in: 0...0x4000).array(of: 1...8), Gen.uint64(in: 0...0x4000)) { starts, hole in
      let map = starts.map { MemoryRegion(start: $0 << 12, length: 0x10_0000, kind: .available) }
        + [MemoryRegion(start: hole << 12, length: 0x8000, kind: .reserved)]
      let free = UsableMemory.frames(memoryMap: map, reserved: [])
      for r in free {
        #expect(r.start >= 0x100, "the first MiB is never handed out")
        #expect(r.end <= hole || r.start >= hole + 8, "reserved frames are excluded")
      }
    }
  }

  @Test func frameAllocatorHandsOutEachFrameOnce() {
    var a = FrameAllocator(free: [FrameRange(start: 0x100, end: 0x140), FrameRange(start: 0x200, end: 0x208)])
    var seen = Set<UInt64>()
    while let f = a.allocate() { #expect(seen.insert(f.raw).inserted) }
    #expect(seen.count == 0x48)
    let first = a.release(MFN(0x105))
    let second = a.release(MFN(0x105))
    #expect(first)
    #expect(!second, "double free is refused")
    #expect(a.allocate(below: 0x100) == nil)
    #expect(a.allocate() == MFN(0x105))
  }

  @Test func imageRangeIsCheckedAgainstTheMemoryMap() {
    // multiboot1 sample: available [0, 0x9FC00) and [1 MiB, 128 MiB)
    let mb1 = SampleBoot.multiboot1()
    #expect(Multiboot.rangeIsAvailable(magic: Multiboot.magic1, info: 0x1000, reader: mb1, start: 0x10_0000, end: 0x200_0000) == true)
    #expect(Multiboot.rangeIsAvailable(magic: Multiboot.magic1, info: 0x1000, reader: mb1, start: 0x10_0000, end: 0x900_0000) == false)
    #expect(Multiboot.rangeIsAvailable(magic: Multiboot.magic1, info: 0x1000, reader: SampleBoot.multiboot1(flags: 0), start: 0, end: 1) == nil)
    let mb2 = SampleBoot.multiboot2()
    #expect(Multiboot.rangeIsAvailable(magic: Multiboot.magic2, info: 0x2000, reader: mb2, start: 0x10_0000, end: 0x110_0000) == true)
  }
}
