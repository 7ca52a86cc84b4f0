// Turns fuzzer bytes into memory-management operations. Every byte string decodes to some
// trace (missing bytes read as zero), so libFuzzer's mutations always reach the core.

/// Reads operations out of a byte string.
struct ByteDecoder {
  var bytes: UnsafeBufferPointer<UInt8>
  var at = 0
  let frameCount: Int

  var done: Bool { at >= bytes.count }

  mutating func byte() -> UInt8 {
    defer { at += 1 }
    return at < bytes.count ? bytes[at] : 0
  }
  mutating func u64(_ n: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<n { v |= UInt64(byte()) << (8 * UInt64(i)) }
    return v
  }
  mutating func small(_ n: Int) -> Int { Int(byte()) % n }

  mutating func domain() -> DomID { DomID(small(8) == 7 ? UInt16(truncatingIfNeeded: u64(2)) : UInt16(small(5))) }
  mutating func caller() -> VCPUID { VCPUID(domain(), small(8) == 0 ? Int(Int8(bitPattern: byte())) : small(2)) }
  mutating func frame() -> MFN { MFN(small(16) == 0 ? u64(8) : UInt64(small(frameCount + 4))) }
  /// A PTE: a frame and flags, sometimes with high (reserved / NX) bits.
  mutating func entry() -> UInt64 {
    let f = frame().raw << 12
    let flags = UInt64(byte()) | (UInt64(small(8)) << 9)
    let high: UInt64 = small(4) == 0 ? UInt64(byte()) << 56 : 0
    return f | flags | high
  }
  mutating func va() -> UInt64 {
    small(8) == 0
      ? u64(8)
      : UInt64(small(3)) << 39 | UInt64(small(3)) << 30 | UInt64(small(3)) << 21 | UInt64(small(4)) << 12
  }

  mutating func next() -> MMOperation {
    switch small(14) {
    case 0, 1:
      var reqs: [MMURequest] = []
      for _ in 0...small(4) {
        let t = frame()
        let cmd = small(10)
        reqs.append(
          cmd < 8
            ? .normal(t, small(8) == 0 ? small(512) : small(3), entry())
            : MMURequest(ptr: t.raw << 12 | UInt64(small(8)), val: u64(2)))
      }
      return .mmuUpdate(caller: caller(), requests: reqs)
    case 2, 3:
      var ops: [MMUExtCommand] = []
      for _ in 0...small(3) { ops.append(MMUExtCommand(cmd: UInt32(small(10)), arg1: frame().raw)) }
      return .mmuextOp(caller: caller(), ops: ops)
    case 4: return .updateVaMapping(caller: caller(), va: va(), val: entry(), flags: UInt64(small(4)))
    case 5: return .populatePhysmap(caller: caller(), count: small(8) == 0 ? Int(Int64(bitPattern: u64(8))) : small(5))
    case 6:
      var list: [MFN] = []
      for _ in 0...small(3) { list.append(frame()) }
      return .decreaseReservation(caller: caller(), frames: list)
    case 7: return .grantSetupTable(caller: caller(), frames: Int(Int8(bitPattern: byte())) % 6)
    case 8:
      return .grantAccess(
        caller: caller(), ref: GrantRef(UInt32(small(6))), grantee: domain(), frame: frame(), readOnly: small(2) == 0)
    case 9: return .grantEnd(caller: caller(), ref: GrantRef(UInt32(small(6))))
    case 10: return .grantMap(caller: caller(), granter: domain(), ref: GrantRef(UInt32(small(6))), readOnly: small(2) == 0)
    case 11: return .grantUnmap(caller: caller(), handle: GrantHandle(UInt32(small(6))))
    case 12:
      func pointer(_ d: inout ByteDecoder) -> CopyPointer {
        d.small(2) == 0 ? .local(d.frame()) : .granted(granter: d.domain(), ref: GrantRef(UInt32(d.small(6))))
      }
      return .grantCopy(caller: caller(), source: pointer(&self), dest: pointer(&self))
    default:
      return small(3) == 0
        ? .domainDestroy(caller: caller(), target: domain())
        : .domainCreate(
          caller: small(4) == 0 ? caller() : VCPUID(.dom0, 0), domain: domain(),
          maxPages: Int(Int8(bitPattern: byte())), vcpus: small(6))
    }
  }
}
