/// The hypervisor console: CONSOLEIO_write. On Xen this reaches the serial line for dom0
/// (and for domUs when Xen runs with guest_loglvl=all); on Bulkhead, the Bulkhead console.
///
/// `print` (Embedded Swift's) goes through runtime.c's `putchar`, which buffers a line and
/// writes it with one console_io call. These helpers write through the same buffer, so the
/// two never interleave out of order.
import GuestArch

enum Console {
  /// Writes a static string without touching the heap.
  static func write(_ s: StaticString) {
    let p = s.utf8Start
    for i in 0..<s.utf8CodeUnitCount { _ = putchar(Int32(p[i])) }
  }

  /// Writes any string.
  static func write(_ s: String) {
    for b in s.utf8 { _ = putchar(Int32(b)) }
  }

  /// Writes `s` and a newline, then flushes.
  static func line(_ s: String) {
    write(s)
    _ = putchar(10)
  }

  /// Sends any buffered partial line now.
  static func flush() { guest_console_flush() }

  /// Writes `bytes` straight to the hypervisor with one CONSOLEIO_write (no buffering).
  static func writeUnbuffered(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let base = bytes.baseAddress else { return }
    _ = Hypercall.raw(.consoleIO, 0, UInt64(bytes.count), UInt64(UInt(bitPattern: base)))
  }
}

/// `0x` and lower-case hex digits, zero-padded to `digits`.
func hex<T: FixedWidthInteger>(_ v: T, digits: Int = 1) -> String {
  let s = String(v, radix: 16)
  let pad = s.count < digits ? String(repeating: "0", count: digits - s.count) : ""
  return "0x" + pad + s
}
