/// set_trap_table and set_callbacks: how a PV guest receives exceptions and events.
///
/// A PV guest has no IDT of its own. It gives the hypervisor a table of (vector, handler) pairs;
/// exceptions are bounced to the handler in ring 3 with Xen's PV frame (rcx, r11 on the stack).
/// Events arrive at the "event callback"; the "failsafe callback" runs when Xen cannot reload
/// the guest's segments on return.
import GuestArch

enum Traps {
  /// Flat 64-bit kernel code selector (FLAT_KERNEL_CS64 = FLAT_RING3_CS64 on x86-64 PV).
  static let kernelCS: UInt16 = 0xE033

  /// One trap-table row: `vector` goes to `handler`; `dpl` is the privilege `int n` needs;
  /// `clearsEventMask` sets vcpu_info.evtchn_upcall_mask on entry (an interrupt gate).
  static func entry(vector: UInt8, handler: UInt64, dpl: UInt8 = 0, clearsEventMask: Bool = false) -> xen_trap_info {
    xen_trap_info(vector: vector, flags: (dpl & 3) | (clearsEventMask ? 4 : 0), cs: kernelCS, address: handler)
  }

  /// set_trap_table with `rows` (a zero row terminates the list; added here).
  static func setTrapTable(_ rows: [xen_trap_info]) throws(XenError) {
    var list = rows + [xen_trap_info()]
    try list.withUnsafeMutableBufferPointer { (buf) throws(XenError) in
      _ = try Hypercall.call(.setTrapTable, UInt64(UInt(bitPattern: buf.baseAddress)))
    }
  }

  /// set_callbacks(event, failsafe, syscall): the x86-64 PV entry points for events, segment
  /// reload failures, and `syscall` from guest user space.
  static func setCallbacks(event: UInt64, failsafe: UInt64, syscall: UInt64 = 0) throws(XenError) {
    _ = try Hypercall.call(.setCallbacks, event, failsafe, syscall)
  }
}
