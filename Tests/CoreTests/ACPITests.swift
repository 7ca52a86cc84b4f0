import BulkheadCore
import PropertyBased
import Testing

/// A tiny firmware image: RSDP (rev 2) at 0xE0000, XSDT, MADT with two CPUs and an IOAPIC,
/// HPET and FADT, all with correct checksums.
func sampleACPI() -> ByteArrayMemory {
  var b = [UInt8](repeating: 0, count: 0x2000)
  let base: UInt64 = 0xE0000
  func put(_ at: Int, _ v: UInt64, _ n: Int) { for i in 0..<n { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
  func sig(_ at: Int, _ s: String) { for (i, c) in s.utf8.enumerated() { b[at + i] = c } }
  func fix(_ at: Int, _ len: Int, _ sumAt: Int) {
    b[sumAt] = 0
    var s: UInt8 = 0
    for i in at..<(at + len) { s &+= b[i] }
    b[sumAt] = 0 &- s
  }
  func table(_ at: Int, _ s: String, _ len: Int) { sig(at, s); put(at + 4, UInt64(len), 4); b[at + 8] = 1 }
  // RSDP at 0
  sig(0, "RSD PTR "); sig(9, "BULKHD"); b[15] = 2; put(20, 36, 4); put(24, base + 0x100, 8)
  // XSDT at 0x100: three entries
  table(0x100, "XSDT", 36 + 24)
  put(0x100 + 36, base + 0x200, 8); put(0x100 + 44, base + 0x300, 8); put(0x100 + 52, base + 0x400, 8)
  // MADT at 0x200: LAPIC addr, two local APICs (one disabled), one IOAPIC
  let madtLen = 44 + 8 + 8 + 12
  table(0x200, "APIC", madtLen); put(0x200 + 36, 0xFEE0_0000, 4)
  var o = 0x200 + 44
  b[o] = 0; b[o + 1] = 8; b[o + 3] = 0; put(o + 4, 1, 4); o += 8
  b[o] = 0; b[o + 1] = 8; b[o + 3] = 1; put(o + 4, 0, 4); o += 8
  b[o] = 1; b[o + 1] = 12; b[o + 2] = 2; put(o + 4, 0xFEC0_0000, 4); put(o + 8, 0, 4)
  // HPET at 0x300
  table(0x300, "HPET", 56); put(0x300 + 44, 0xFED0_0000, 8)
  // FADT at 0x400 (PM timer at port 0x608, 32-bit)
  table(0x400, "FACP", 244); put(0x400 + 76, 0x608, 4); put(0x400 + 112, 1 << 8, 4)
  fix(0x100, 36 + 24, 0x100 + 9); fix(0x200, madtLen, 0x200 + 9); fix(0x300, 56, 0x300 + 9); fix(0x400, 244, 0x400 + 9)
  fix(0, 20, 8)
  b[32] = 0
  var ext: UInt8 = 0
  for i in 0..<36 { ext &+= b[i] }
  b[32] = 0 &- ext
  return ByteArrayMemory(base: base, bytes: b)
}

@Suite struct ACPITests {
  @Test func findsAndParsesTheTables() throws {
    let mem = sampleACPI()
    let rsdp = try #require(ACPI.findRSDP(reader: mem))
    #expect(rsdp == 0xE0000)
    let info = try ACPI.parse(rsdp: rsdp, reader: mem)
    #expect(info.revision == 2)
    #expect(info.tables == [Array("APIC".utf8), Array("HPET".utf8), Array("FACP".utf8)])
    #expect(info.cpus == [ACPIInfo.CPU(apicID: 0, enabled: true), ACPIInfo.CPU(apicID: 1, enabled: false)])
    #expect(info.ioapics == [ACPIInfo.IOAPIC(id: 2, address: 0xFEC0_0000, gsiBase: 0)])
    #expect(info.localAPICAddress == 0xFEE0_0000)
    #expect(info.hpetAddress == 0xFED0_0000)
    #expect(info.pmTimerPort == 0x608 && info.pmTimer32Bit)
  }

  @Test func badChecksumsAreRefusedOrSkipped() {
    var mem = sampleACPI()
    mem.bytes[0x300 + 20] ^= 0xFF   // corrupt HPET: skipped, the rest still parsed
    let info = try? ACPI.parse(rsdp: 0xE0000, reader: mem)
    #expect(info?.hpetAddress == nil && info?.cpus.count == 2)
    mem.bytes[3] ^= 0xFF            // corrupt RSDP signature
    #expect(throws: ACPIError.noRSDP) { try ACPI.parse(rsdp: 0xE0000, reader: mem) }
  }

  /// Any single-byte corruption gives a parse or a refusal, never a trap or a hang.
  @Test func corruptedFirmwareNeverCrashes() async {
    let good = sampleACPI()
    await propertyCheck(count: 400, input: Gen.int(in: 0...0x4FF), Gen.uint8()) { index, value in
      var mem = good
      mem.bytes[index] = value
      let info = try? ACPI.parse(rsdp: 0xE0000, reader: mem)
      #expect((info?.cpus.count ?? 0) <= 64)
    }
  }
}
