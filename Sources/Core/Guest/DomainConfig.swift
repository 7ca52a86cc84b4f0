/// One domain of the boot configuration, read from its boot module's string.
///
/// Format (docs/boot-config.md): the module string is the image path followed by
/// space-separated settings, e.g.
///
///     /boot/hello.elf name=hello memory=16M weight=256 cap=0 vcpus=1
///
/// `memory` takes K, M or G suffixes (default bytes); `cap` is a percentage of one pCPU
/// (0 = uncapped); `privileged` (no value) marks a control domain; unknown keys are refused
/// so a typo is not silently ignored.
public struct DomainConfig: Equatable, Sendable {
  public var name: [UInt8]
  public var memoryBytes: UInt64
  public var weight: UInt32
  public var cap: UInt32
  public var vcpus: UInt32
  public var privileged: Bool
  /// Everything after `args=` up to the end: the guest's own command line.
  public var guestCommandLine: [UInt8]

  public static let defaultMemory: UInt64 = 16 << 20

  public enum Failure: Error, Equatable, Sendable {
    case unknownKey([UInt8])
    case badValue(key: [UInt8])
    case outOfRange(key: [UInt8])
  }

  /// Parses a module string; `index` names the domain when no `name=` is given.
  public static func parse(moduleString: [UInt8], index: Int) throws(Failure) -> DomainConfig {
    var c = DomainConfig(
      name: Array("domain".utf8) + Array(String(index).utf8), memoryBytes: defaultMemory, weight: 256, cap: 0,
      vcpus: 1, privileged: false, guestCommandLine: [])
    let tokens = moduleString.split(separator: 0x20, omittingEmptySubsequences: true)
    var i = 1   // token 0 is the image path
    while i < tokens.count {
      let t = Array(tokens[i])
      if t.starts(with: Array("args=".utf8)) {
        // The rest of the line, spaces included, belongs to the guest.
        var rest = Array(t.dropFirst(5))
        for more in tokens[(i + 1)...] { rest.append(0x20); rest += more }
        c.guestCommandLine = Array(rest.prefix(1023))
        break
      }
      let parts = t.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
      let key = Array(parts[0])
      let value = parts.count > 1 ? Array(parts[1]) : nil
      switch key {
      case Array("name".utf8):
        guard let v = value, !v.isEmpty, v.count <= 32 else { throw .badValue(key: key) }
        c.name = v
      case Array("memory".utf8):
        guard let v = value, let bytes = parseSize(v) else { throw .badValue(key: key) }
        guard bytes >= 1 << 20, bytes <= 1 << 36 else { throw .outOfRange(key: key) }
        c.memoryBytes = bytes
      case Array("weight".utf8):
        guard let v = value, let n = parseNumber(v) else { throw .badValue(key: key) }
        guard n >= 1, n <= 65535 else { throw .outOfRange(key: key) }
        c.weight = UInt32(n)
      case Array("cap".utf8):
        guard let v = value, let n = parseNumber(v) else { throw .badValue(key: key) }
        guard n <= 100 else { throw .outOfRange(key: key) }
        c.cap = UInt32(n)
      case Array("vcpus".utf8):
        guard let v = value, let n = parseNumber(v) else { throw .badValue(key: key) }
        guard n >= 1, n <= 4 else { throw .outOfRange(key: key) }
        c.vcpus = UInt32(n)
      case Array("privileged".utf8):
        guard value == nil else { throw .badValue(key: key) }
        c.privileged = true
      default:
        throw .unknownKey(key)
      }
      i += 1
    }
    return c
  }

  /// Memory in 4 KiB pages.
  public var pages: UInt64 { memoryBytes >> 12 }

  static func parseNumber(_ digits: [UInt8]) -> UInt64? {
    guard !digits.isEmpty, digits.count <= 19 else { return nil }
    var n: UInt64 = 0
    for d in digits {
      guard d >= 48, d <= 57 else { return nil }
      n = n * 10 + UInt64(d - 48)
    }
    return n
  }

  static func parseSize(_ text: [UInt8]) -> UInt64? {
    guard let last = text.last else { return nil }
    let shift: UInt64
    switch last {
    case UInt8(ascii: "K"), UInt8(ascii: "k"): shift = 10
    case UInt8(ascii: "M"), UInt8(ascii: "m"): shift = 20
    case UInt8(ascii: "G"), UInt8(ascii: "g"): shift = 30
    default: return parseNumber(text)
    }
    guard let n = parseNumber(Array(text.dropLast())), n < 1 << (64 - shift) else { return nil }
    return n << shift
  }
}
