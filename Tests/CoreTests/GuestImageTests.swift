import BulkheadCore
import PropertyBased
import Testing

/// Builds a minimal ELF64 PV kernel: one PT_LOAD at `vaddr`, one PT_NOTE with Xen notes.
func sampleGuestELF(vaddr: UInt64 = 0x40_0000, entryOffset: UInt64 = 0x10, notes: Bool = true) -> [UInt8] {
  var b = [UInt8](repeating: 0, count: 0x2000)
  func put(_ at: Int, _ v: UInt64, _ n: Int) { for i in 0..<n { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
  b[0] = 0x7F; b[1] = 0x45; b[2] = 0x4C; b[3] = 0x46; b[4] = 2; b[5] = 1; b[6] = 1
  put(16, 2, 2); put(18, 62, 2); put(20, 1, 4)
  put(24, vaddr + entryOffset, 8)      // e_entry
  put(32, 64, 8)                       // e_phoff
  put(52, 64, 2); put(54, 56, 2); put(56, notes ? 2 : 1, 2)
  // PT_LOAD: file [0x1000, 0x2000) at vaddr, 0x3000 bytes in memory
  put(64, 1, 4); put(68, 5, 4); put(72, 0x1000, 8); put(80, vaddr, 8); put(96, 0x1000, 8); put(104, 0x3000, 8)
  if notes {
    // PT_NOTE at 0x200: two notes (VIRT_BASE, HYPERCALL_PAGE)
    put(120, 4, 4); put(128, 0x200, 8); put(152, 48, 8)
    var o = 0x200
    for (type, value) in [(UInt64(3), vaddr), (2, vaddr + 0x1000)] {
      put(o, 4, 4); put(o + 4, 8, 4); put(o + 8, type, 4)
      b[o + 12] = 0x58; b[o + 13] = 0x65; b[o + 14] = 0x6E
      put(o + 16, value, 8)
      o += 24
    }
  }
  return b
}

@Suite struct GuestImageTests {
  @Test func parsesSegmentsAndXenNotes() throws {
    let image = try GuestImage.parse(reader: ByteArrayMemory(base: 0, bytes: sampleGuestELF()), base: 0, length: 0x2000)
    #expect(image.entry == 0x40_0010)
    #expect(image.virtualBase == 0x40_0000)
    #expect(image.hypercallPage == 0x40_1000)
    #expect(image.segments.count == 1 && image.segments[0].memorySize == 0x3000)
    #expect(image.imageStart == 0x40_0000 && image.imageEnd == 0x40_3000)
  }

  @Test func refusesWhatIsNotAPVKernel() {
    #expect(throws: GuestImageError.noXenNotes) {
      try GuestImage.parse(reader: ByteArrayMemory(base: 0, bytes: sampleGuestELF(notes: false)), base: 0, length: 0x2000)
    }
    #expect(throws: GuestImageError.notELF64) {
      try GuestImage.parse(reader: ByteArrayMemory(base: 0, bytes: [UInt8](repeating: 0, count: 128)), base: 0, length: 128)
    }
    #expect(throws: GuestImageError.entryOutsideImage(0x40_9000)) {
      try GuestImage.parse(reader: ByteArrayMemory(base: 0, bytes: sampleGuestELF(entryOffset: 0x9000)), base: 0, length: 0x2000)
    }
  }

  @Test func refusesImagesInHypervisorRanges() {
    for bad in [UInt64(0x0000_7F80_0000_0000), 0xFFFF_8100_0000_0000, 0x0000_9000_0000_0000] {
      #expect(throws: GuestImageError.overlapsHypervisor(address: bad)) {
        try GuestImage.parse(reader: ByteArrayMemory(base: 0, bytes: sampleGuestELF(vaddr: bad)), base: 0, length: 0x2000)
      }
    }
  }

  /// Corrupting any byte of a valid image gives a result or a refusal, never a trap.
  @Test func corruptedImagesNeverCrash() async {
    let good = sampleGuestELF()
    await propertyCheck(count: 500, input: Gen.int(in: 0...0x27F), Gen.uint8()) { index, value in
      var bytes = good
      bytes[index] = value
      let parsed = try? GuestImage.parse(reader: ByteArrayMemory(base: 0, bytes: bytes), base: 0, length: UInt64(bytes.count))
      if let p = parsed { #expect(!p.segments.isEmpty) } else { #expect(parsed == nil) }
    }
  }
}

@Suite struct DomainLayoutTests {
  @Test func layoutFollowsXensOrder() throws {
    let l = try DomainLayout.plan(imageStart: 0x40_0000, imageEnd: 0x40_3000, moduleLength: 0, pages: 4096)
    #expect(l.virtualStart == 0x40_0000)
    #expect(l.p2mStart == 0x40_3000)
    #expect(l.startInfo == 0x40_3000 + 0x8000)          // 4096 pages × 8 bytes
    #expect(l.pageTablesStart == l.startInfo + 0x1000)
    #expect(l.stackStart == l.pageTablesStart + l.pageTableCount * 0x1000)
    #expect(l.virtualEnd % (4 << 20) == 0 && l.virtualEnd - l.stackTop >= 512 << 10)
    #expect(DomainLayout.tablesNeeded(start: l.virtualStart, end: l.virtualEnd) <= l.pageTableCount)
  }

  @Test func tooLittleMemoryIsRefused() {
    #expect(throws: DomainLayout.Failure.self) {
      try DomainLayout.plan(imageStart: 0x40_0000, imageEnd: 0x80_0000, moduleLength: 0, pages: 256)
    }
  }

  @Test func pageTablesAlwaysCoverTheRegion() async {
    await propertyCheck(count: 200, input: Gen.uint64(in: 1...0x4000), Gen.uint64(in: 0...0x40_0000), Gen.uint64(in: 64...1 << 20)) { startPage, size, pages in
      let start: UInt64 = startPage << 21
      if let l = try? DomainLayout.plan(imageStart: start, imageEnd: start + size, moduleLength: size / 2, pages: pages) {
        #expect(DomainLayout.tablesNeeded(start: l.virtualStart, end: l.virtualEnd) <= l.pageTableCount)
        #expect(l.mappedPages <= pages)
      } else {
        #expect(DomainLayout.tablesNeeded(start: start, end: start + size) >= 1)
      }
    }
  }
}
