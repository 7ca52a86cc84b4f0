/// Allocation-free console output, for paths where the heap may be unusable (exception
/// dumps, panics, the very first boot messages). `print` goes to the same `putchar`.
import KernelArch

@inline(__always) func c_putchar(_ c: Int32) -> Int32 { putchar(c) }

enum Console {
  static func write(_ s: StaticString) {
    let p = s.utf8Start
    for i in 0..<s.utf8CodeUnitCount { _ = c_putchar(Int32(p[i])) }
  }

  static func write(bytes: [UInt8]) {
    for b in bytes { _ = c_putchar(Int32(b)) }
  }

  static func newline() { _ = c_putchar(10) }

  /// `0x` followed by at least `digits` hex digits.
  static func writeHex(_ value: UInt64, digits: Int = 1) {
    write("0x")
    var started = false
    var shift = 60
    while shift >= 0 {
      let nibble = Int((value >> UInt64(shift)) & 0xF)
      if nibble != 0 || started || shift / 4 < digits {
        started = true
        _ = c_putchar(Int32(nibble < 10 ? 48 + nibble : 87 + nibble))
      }
      shift -= 4
    }
  }

  static func writeDecimal(_ value: UInt64) {
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var v = value
    var n = 0
    withUnsafeMutableBytes(of: &digits) { buf in
      repeat {
        buf[n] = UInt8(48 + v % 10)
        v /= 10
        n += 1
      } while v != 0
      while n > 0 {
        n -= 1
        _ = c_putchar(Int32(buf[n]))
      }
    }
  }
}
