/// copy_from_guest / copy_to_guest: through `GuestWalk`, so a bad guest pointer is an error
/// (EFAULT) and never a hypervisor fault. All-or-nothing: the whole range is checked first.
enum GuestCopy {
  static var frameCount: UInt64 { UInt64(Machine.mm!.config.frameCount) }

  static func fromGuest(_ v: VCPU, va: UInt64, count: UInt64, into out: inout [UInt8]) -> Bool {
    out.removeAll(keepingCapacity: true)
    return GuestWalk.forEachPiece(DirectMapMemory(), root: v.root, va: va, count: count, write: false, frameCount: frameCount) { ma, n in
      let p = MachineBytes.pointer(ma)
      for i in 0..<Int(n) { out.append(p[i]) }
    }
  }

  /// `count` little-endian words starting at `va`, with one walk per page instead of one per
  /// word (batched hypercalls read their entries this way).
  static func readWords(_ v: VCPU, _ va: UInt64, count: Int, into out: inout [UInt64]) -> Bool {
    out.removeAll(keepingCapacity: true)
    var word: UInt64 = 0
    var shift: UInt64 = 0
    return GuestWalk.forEachPiece(DirectMapMemory(), root: v.root, va: va, count: UInt64(count * 8), write: false, frameCount: frameCount) { ma, n in
      let p = MachineBytes.pointer(ma)
      for i in 0..<Int(n) {
        word |= UInt64(p[i]) << shift
        shift += 8
        if shift == 64 {
          out.append(word)
          word = 0
          shift = 0
        }
      }
    }
  }

  static func readU64(_ v: VCPU, _ va: UInt64) -> UInt64? { readBytes(v, va, 8) }

  static func readU32(_ v: VCPU, _ va: UInt64) -> UInt32? {
    guard let lo = readBytes(v, va, 4) else { return nil }
    return UInt32(lo & 0xFFFF_FFFF)
  }

  static func readU16(_ v: VCPU, _ va: UInt64) -> UInt16? {
    guard let lo = readBytes(v, va, 2) else { return nil }
    return UInt16(lo & 0xFFFF)
  }

  static func readBytes(_ v: VCPU, _ va: UInt64, _ n: UInt64) -> UInt64? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    let ok = GuestWalk.forEachPiece(DirectMapMemory(), root: v.root, va: va, count: n, write: false, frameCount: frameCount) { ma, k in
      let p = MachineBytes.pointer(ma)
      for i in 0..<Int(k) {
        value |= UInt64(p[i]) << shift
        shift += 8
      }
    }
    return ok ? value : nil
  }

  static func writeBytes(_ v: VCPU, _ va: UInt64, _ value: UInt64, _ n: UInt64) -> Bool {
    var shift: UInt64 = 0
    return GuestWalk.forEachPiece(DirectMapMemory(), root: v.root, va: va, count: n, write: true, frameCount: frameCount) { ma, k in
      let p = MachineBytes.pointer(ma)
      for i in 0..<Int(k) {
        p[i] = UInt8(truncatingIfNeeded: value >> shift)
        shift += 8
      }
    }
  }

  static func writeU64(_ v: VCPU, _ va: UInt64, _ value: UInt64) -> Bool { writeBytes(v, va, value, 8) }
  static func writeU32(_ v: VCPU, _ va: UInt64, _ value: UInt32) -> Bool { writeBytes(v, va, UInt64(value), 4) }

  static func toGuest(_ v: VCPU, va: UInt64, words: [UInt64]) -> Bool {
    var i = 0
    var shift: UInt64 = 0
    return GuestWalk.forEachPiece(DirectMapMemory(), root: v.root, va: va, count: UInt64(words.count * 8), write: true, frameCount: frameCount) { ma, n in
      let p = MachineBytes.pointer(ma)
      for k in 0..<Int(n) {
        p[k] = UInt8(truncatingIfNeeded: words[i] >> shift)
        shift += 8
        if shift == 64 { shift = 0; i += 1 }
      }
    }
  }
}
