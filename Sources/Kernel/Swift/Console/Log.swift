/// The kernel log: one line per event, prefixed with its level, on every console.
///
/// Format, relied on by hardware-tests: `[level] subsystem: message`.
enum Log {
  enum Level: UInt8, Comparable {
    case debug = 0, info, warn, error, fatal
    static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

    var tag: StaticString {
      switch self {
      case .debug: return "[debug] "
      case .info: return "[info] "
      case .warn: return "[warn] "
      case .error: return "[error] "
      case .fatal: return "[fatal] "
      }
    }
  }

  /// Messages below this level are dropped (`loglevel=debug` on the command line lowers it).
  nonisolated(unsafe) static var threshold: Level = .info

  static func log(_ level: Level, _ message: String) {
    guard level >= threshold else { return }
    Console.write(level.tag)
    print(message)
  }

  static func debug(_ m: String) { log(.debug, m) }
  static func info(_ m: String) { log(.info, m) }
  static func warn(_ m: String) { log(.warn, m) }
  static func error(_ m: String) { log(.error, m) }
}

/// Hex formatting for log messages (`hex(0x1000)` → "0x1000").
func hex(_ v: UInt64) -> String {
  var s = "0x"
  var started = false
  var shift = 60
  while shift >= 0 {
    let n = Int((v >> UInt64(shift)) & 0xF)
    if n != 0 || started || shift == 0 {
      started = true
      s.append(Character(Unicode.Scalar(UInt8(n < 10 ? 48 + n : 87 + n))))
    }
    shift -= 4
  }
  return s
}
