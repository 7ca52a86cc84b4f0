/// multicall: several hypercalls for the price of one guest/hypervisor transition.
import GuestArch

enum Multicall {
  /// One queued call: the hypercall and its arguments.
  static func entry(_ nr: HypercallNumber, _ args: UInt64...) -> xen_multicall_entry {
    var e = xen_multicall_entry()
    e.op = UInt64(nr.rawValue)
    withUnsafeMutableBytes(of: &e.args) { raw in
      let words = raw.bindMemory(to: UInt64.self)
      for (i, a) in args.prefix(6).enumerated() { words[i] = a }
    }
    return e
  }

  /// Runs `entries` in order; each entry's `result` holds its own return value afterwards.
  /// Throws only when the multicall itself fails (bad list), not when an entry fails.
  static func run(_ entries: inout [xen_multicall_entry]) throws(XenError) {
    let count = UInt64(entries.count)
    try entries.withUnsafeMutableBufferPointer { (buf) throws(XenError) in
      _ = try Hypercall.call(.multicall, UInt64(UInt(bitPattern: buf.baseAddress)), count)
    }
  }
}
