/// xen_version: which hypervisor (and which version of the ABI) the guest runs on.
enum XenVersion {
  /// XENVER_version: major in the high 16 bits, minor in the low 16. Cannot fail.
  static func number() -> (major: Int, minor: Int) {
    let v = UInt64(bitPattern: Hypercall.raw(.xenVersion, 0, 0))
    return (Int((v >> 16) & 0xFFFF), Int(v & 0xFFFF))
  }

  /// XENVER_extraversion: e.g. ".1" or "-bulkhead", at most 15 characters.
  static func extraVersion() -> String {
    var buf: (UInt64, UInt64) = (0, 0)
    let ok = (try? Hypercall.withArgument(&buf) { (p) throws(XenError) in
      _ = try Hypercall.call(.xenVersion, 1, p)
    }) != nil
    guard ok else { return "" }
    return withUnsafeBytes(of: &buf) { raw in
      let bytes = raw.prefix(while: { $0 != 0 })
      return String(decoding: bytes, as: UTF8.self)
    }
  }
}
