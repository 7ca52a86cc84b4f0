/// Exceptions in the guest: trap-table entries for the SDK's stubs (traps.S), a Swift handler
/// hook, and probes that turn a faulting instruction into a return value.
///
/// `Exceptions.install()` points vectors 0–19 at the stubs. A fault inside a probe
/// (`guest_probe_*`) makes the probe return `0x100 | vector` and is recorded in `last`;
/// any other fault goes to `handler`, and if there is none (or it declines), the guest prints
/// the fault and shuts down with `crash`, as an unhandled exception would on bare metal.
import GuestArch

/// One exception as the guest saw it.
struct Fault {
  var vector: UInt64
  var errorCode: UInt64
  var rip: UInt64
  /// The faulting address for #PF (vcpu_info.arch.cr2), 0 when shared_info is not mapped.
  var cr2: UInt64
}

enum Exceptions {
  /// #DE, #DB, NMI, #BP, #OF, #BR, #UD, #NM, #DF, -, #TS, #NP, #SS, #GP, #PF, -, #MF, #AC, #MC, #XM.
  static let pageFault: UInt64 = 14, generalProtection: UInt64 = 13, invalidOpcode: UInt64 = 6

  /// Called for a fault outside the probes; returns true if it handled it (it may change
  /// `frame.pointee.rip` and any register). Runs on the faulting stack, events masked.
  nonisolated(unsafe) static var handler: ((UnsafeMutablePointer<guest_trap_frame>) -> Bool)? = nil
  /// The last fault seen (probe or not).
  nonisolated(unsafe) static var last: Fault? = nil
  /// How many faults the stubs have taken.
  nonisolated(unsafe) static var count = 0
  /// Where #PF addresses come from: vcpu_info.arch.cr2 in shared_info (set it after mapping).
  nonisolated(unsafe) static var sharedInfo: SharedInfo? = nil

  /// set_trap_table for vectors 0–19 (int3 and into callable from the guest: DPL 3).
  static func install() throws(XenError) {
    var rows: [xen_trap_info] = []
    for v in 0..<20 {
      if v == 2 || v == 15 { continue }   // NMI is not bounced this way; 15 is reserved
      rows.append(Traps.entry(vector: UInt8(v), handler: guest_trap_entry(UInt32(v)), dpl: v == 3 || v == 4 ? 3 : 0))
    }
    try Traps.setTrapTable(rows)
  }

  /// Whether `rip` is inside one of the probes.
  static func isProbe(_ rip: UInt64) -> Bool {
    rip >= guest_probe_area_start() && rip < guest_probe_area_end()
  }

  /// Human-readable vector name.
  static func name(_ vector: UInt64) -> String {
    switch vector {
    case 0: "#DE"
    case 1: "#DB"
    case 3: "#BP"
    case 6: "#UD"
    case 7: "#NM"
    case 8: "#DF"
    case 11: "#NP"
    case 12: "#SS"
    case 13: "#GP"
    case 14: "#PF"
    case 17: "#AC"
    default: "vector \(vector)"
    }
  }
}

/// Called by every trap stub (traps.S) with the frame on the stack.
@_cdecl("sdk_trap")
func sdkTrap(_ frame: UnsafeMutablePointer<guest_trap_frame>) {
  let f = frame.pointee
  let cr2 = f.vector == Exceptions.pageFault ? (Exceptions.sharedInfo?.raw.pointee.vcpu_info.0.arch_cr2 ?? 0) : 0
  Exceptions.last = Fault(vector: f.vector, errorCode: f.error_code, rip: f.rip, cr2: cr2)
  Exceptions.count += 1
  if Exceptions.isProbe(f.rip) {
    // Resume at the probe slot's `ret` (offset 31 of its 32-byte slot) with the fault code.
    frame.pointee.rax = 0x100 | f.vector
    frame.pointee.rip = (f.rip & ~31) + 31
    return
  }
  if let h = Exceptions.handler, h(frame) { return }
  print("guest: unhandled \(Exceptions.name(f.vector)) at rip \(hex(f.rip)) error \(hex(f.error_code)) cr2 \(hex(cr2))")
  Sched.shutdown(.crash)
}
