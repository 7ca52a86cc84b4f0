/// ACPI tables the hypervisor reads at boot: RSDP → XSDT/RSDT → MADT (CPUs, LAPIC, IOAPICs),
/// HPET (a reference clock) and FADT (the PM timer). Every table is untrusted firmware data:
/// lengths are bounded, checksums verified, and every read goes through a
/// `PhysicalMemoryReader`, so a broken table is skipped with a reason, never a fault.
public struct ACPIInfo: Equatable, Sendable {
  /// One processor local APIC from the MADT.
  public struct CPU: Equatable, Sendable {
    public var apicID: UInt32
    public var enabled: Bool
    public init(apicID: UInt32, enabled: Bool) {
      self.apicID = apicID
      self.enabled = enabled
    }
  }
  /// One I/O APIC from the MADT.
  public struct IOAPIC: Equatable, Sendable {
    public var id: UInt8
    public var address: UInt32
    public var gsiBase: UInt32
    public init(id: UInt8, address: UInt32, gsiBase: UInt32) {
      self.id = id
      self.address = address
      self.gsiBase = gsiBase
    }
  }

  public var revision: UInt8 = 0
  public var oemID: [UInt8] = []
  public var tables: [[UInt8]] = []
  public var cpus: [CPU] = []
  public var ioapics: [IOAPIC] = []
  public var localAPICAddress: UInt64 = 0
  public var hpetAddress: UInt64? = nil
  public var pmTimerPort: UInt32? = nil
  public var pmTimer32Bit = false

  public init() {}
}

public enum ACPIError: Error, Equatable, Sendable {
  /// No "RSD PTR " signature where one was expected (or anywhere in the BIOS areas).
  case noRSDP
  /// The RSDP or a table fails its checksum.
  case badChecksum(signature: [UInt8])
  /// A table header or entry points outside readable memory.
  case unreadable(address: UInt64)
  /// A length field is out of range.
  case badLength(signature: [UInt8], length: UInt64)
}

public enum ACPI {
  public static let maxTableBytes: UInt64 = 1 << 20
  public static let maxTables = 64

  /// Looks for the RSDP in the legacy BIOS areas: the first KiB of the EBDA and
  /// 0xE0000–0xFFFFF, on 16-byte boundaries.
  public static func findRSDP<R: PhysicalMemoryReader>(reader: R) -> UInt64? {
    var areas: [(UInt64, UInt64)] = [(0xE0000, 0x100000)]
    if let seg = reader.readU16(at: 0x40E), seg != 0 {
      let ebda = UInt64(seg) << 4
      areas.insert((ebda, ebda + 1024), at: 0)
    }
    for (start, end) in areas {
      var a = start
      while a + 20 <= end {
        if isSignature(reader, a, "RSD PTR "), checksum(reader, a, 20) == 0 { return a }
        a += 16
      }
    }
    return nil
  }

  /// Parses everything reachable from the RSDP at `rsdp`.
  public static func parse<R: PhysicalMemoryReader>(rsdp: UInt64, reader: R) throws(ACPIError) -> ACPIInfo {
    guard isSignature(reader, rsdp, "RSD PTR ") else { throw .noRSDP }
    guard checksum(reader, rsdp, 20) == 0 else { throw .badChecksum(signature: Array("RSD PTR ".utf8)) }
    var info = ACPIInfo()
    guard let revision = reader.readU8(at: rsdp + 15) else { throw .unreadable(address: rsdp) }
    info.revision = revision
    info.oemID = bytes(reader, rsdp + 9, 6)
    var root: UInt64
    var entrySize: UInt64
    if revision >= 2, let x = reader.readU64(at: rsdp + 24), x != 0, checksum(reader, rsdp, 36) == 0 {
      root = x
      entrySize = 8
    } else {
      guard let r = reader.readU32(at: rsdp + 16) else { throw .unreadable(address: rsdp) }
      root = UInt64(r)
      entrySize = 4
    }
    let rootLength = try validTable(reader, root)
    var offset: UInt64 = 36
    while offset + entrySize <= rootLength && info.tables.count < maxTables {
      let entry = entrySize == 8 ? reader.readU64(at: root + offset) : reader.readU32(at: root + offset).map(UInt64.init)
      offset += entrySize
      guard let table = entry, let length = try? validTable(reader, table) else { continue }
      let sig = bytes(reader, table, 4)
      info.tables.append(sig)
      switch sig {
      case Array("APIC".utf8): parseMADT(reader, table, length, into: &info)
      case Array("HPET".utf8):
        if length >= 52, let a = reader.readU64(at: table + 44) { info.hpetAddress = a }
      case Array("FACP".utf8): parseFADT(reader, table, length, into: &info)
      default: break
      }
    }
    return info
  }

  static func parseMADT<R: PhysicalMemoryReader>(_ r: R, _ t: UInt64, _ length: UInt64, into info: inout ACPIInfo) {
    info.localAPICAddress = UInt64(r.readU32(at: t + 36) ?? 0)
    var o: UInt64 = 44
    while o + 2 <= length {
      guard let type = r.readU8(at: t + o), let len = r.readU8(at: t + o + 1), len >= 2, o + UInt64(len) <= length else { return }
      let e = t + o
      switch type {
      case 0 where len >= 8:   // processor local APIC
        if let id = r.readU8(at: e + 3), let flags = r.readU32(at: e + 4) {
          info.cpus.append(ACPIInfo.CPU(apicID: UInt32(id), enabled: flags & 1 != 0))
        }
      case 1 where len >= 12:  // I/O APIC
        if let id = r.readU8(at: e + 2), let a = r.readU32(at: e + 4), let g = r.readU32(at: e + 8) {
          info.ioapics.append(ACPIInfo.IOAPIC(id: id, address: a, gsiBase: g))
        }
      case 5 where len >= 12:  // local APIC address override
        if let a = r.readU64(at: e + 4) { info.localAPICAddress = a }
      case 9 where len >= 16:  // processor local x2APIC
        if let id = r.readU32(at: e + 4), let flags = r.readU32(at: e + 8) {
          info.cpus.append(ACPIInfo.CPU(apicID: id, enabled: flags & 1 != 0))
        }
      default: break
      }
      o += UInt64(len)
    }
  }

  static func parseFADT<R: PhysicalMemoryReader>(_ r: R, _ t: UInt64, _ length: UInt64, into info: inout ACPIInfo) {
    // X_PM_TMR_BLK (GAS at 208, system I/O space) when present, else PM_TMR_BLK at 76.
    if length >= 220, r.readU8(at: t + 208) == 1, let x = r.readU64(at: t + 212), x != 0, x <= 0xFFFF {
      info.pmTimerPort = UInt32(x)
    } else if length >= 80, let p = r.readU32(at: t + 76), p != 0 {
      info.pmTimerPort = p
    }
    if length >= 116, let flags = r.readU32(at: t + 112) { info.pmTimer32Bit = flags & (1 << 8) != 0 }
  }

  /// The table's length after checking its header is readable, its length sane and its
  /// checksum zero.
  static func validTable<R: PhysicalMemoryReader>(_ r: R, _ t: UInt64) throws(ACPIError) -> UInt64 {
    guard let len32 = r.readU32(at: t + 4) else { throw .unreadable(address: t) }
    let length = UInt64(len32)
    let sig = bytes(r, t, 4)
    guard length >= 36, length <= maxTableBytes else { throw .badLength(signature: sig, length: length) }
    guard checksum(r, t, length) == 0 else { throw .badChecksum(signature: sig) }
    return length
  }

  static func isSignature<R: PhysicalMemoryReader>(_ r: R, _ a: UInt64, _ s: StaticString) -> Bool {
    for i in 0..<s.utf8CodeUnitCount {
      guard r.readU8(at: a + UInt64(i)) == s.utf8Start[i] else { return false }
    }
    return true
  }

  /// Sum of `n` bytes modulo 256; 0 for a valid table. Unreadable bytes make it non-zero.
  static func checksum<R: PhysicalMemoryReader>(_ r: R, _ a: UInt64, _ n: UInt64) -> UInt8 {
    var sum: UInt8 = 0
    for i in 0..<n {
      guard let b = r.readU8(at: a + i) else { return 0xFF }
      sum &+= b
    }
    return sum
  }

  static func bytes<R: PhysicalMemoryReader>(_ r: R, _ a: UInt64, _ n: Int) -> [UInt8] {
    var out: [UInt8] = []
    for i in 0..<n { out.append(r.readU8(at: a + UInt64(i)) ?? 0x3F) }
    return out
  }
}
