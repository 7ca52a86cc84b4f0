/// console_io and xen_version.
enum ConsoleOps {
  static let maxWrite: UInt64 = 4096

  /// CONSOLEIO_write(count, buffer): the domain's bytes, line by line, prefixed with its name.
  static func consoleIO(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    switch a.a1 {
    case XenOp.consoleIOWrite:
      let count = min(a.a2, maxWrite)
      var bytes: [UInt8] = []
      guard GuestCopy.fromGuest(v, va: a.a3, count: count, into: &bytes) else { return Hypercalls.fail(.EFAULT) }
      for b in bytes { v.domain.console(b) }
      return 0
    case XenOp.consoleIORead:
      return 0   // no console input: nothing to read
    default:
      return Hypercalls.fail(.ENOSYS)
    }
  }

  static func xenVersion(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    switch a.a1 {
    case XenOp.xenverVersion:
      return Int64((XenOp.versionMajor << 16) | XenOp.versionMinor)
    case XenOp.xenverExtraversion:
      return writeString(v, a.a2, ".0-bulkhead", size: 16)
    case XenOp.xenverCapabilities:
      return writeString(v, a.a2, "xen-3.0-x86_64", size: 1024)
    case XenOp.xenverGetFeatures:
      // xen_feature_info { submap_idx, submap }: no optional features.
      guard GuestCopy.readU32(v, a.a2) != nil, GuestCopy.writeU32(v, a.a2 + 4, 0) else { return Hypercalls.fail(.EFAULT) }
      return 0
    case XenOp.xenverPagesize:
      return 4096
    default:
      return Hypercalls.fail(.ENOSYS)
    }
  }

  static func writeString(_ v: VCPU, _ va: UInt64, _ s: StaticString, size: Int) -> Int64 {
    var bytes = [UInt8](repeating: 0, count: size)
    for i in 0..<min(s.utf8CodeUnitCount, size - 1) { bytes[i] = s.utf8Start[i] }
    var words: [UInt64] = []
    var i = 0
    while i < size {
      var w: UInt64 = 0
      for k in 0..<8 where i + k < size { w |= UInt64(bytes[i + k]) << UInt64(8 * k) }
      words.append(w)
      i += 8
    }
    return GuestCopy.toGuest(v, va: va, words: words) ? 0 : Hypercalls.fail(.EFAULT)
  }
}
