/// The shared_info page: event-channel pending/mask bitmaps, per-vCPU upcall flags and time.
///
/// The builder gives only its MACHINE address (start_info.shared_info); the guest maps it with
/// update_va_mapping onto a page-aligned .bss window (start.S `shared_info_window`).
import GuestArch

struct SharedInfo {
  /// The mapped page.
  let raw: UnsafeMutablePointer<xen_shared_info>

  /// Maps the shared_info page at `machineAddress` and returns a view of it.
  static func map(machineAddress: UInt64) throws(XenError) -> SharedInfo {
    let va = guest_shared_info_window()
    try PageTable.updateVAMapping(va, pte: PageTable.pte(machineAddress: machineAddress, writable: true))
    // Sound: the window is a page of our own image, now backed by the shared_info frame.
    let s = SharedInfo(raw: UnsafeMutablePointer(bitPattern: UInt(va))!)
    Exceptions.sharedInfo = s   // #PF handlers read cr2 from it
    return s
  }

  /// Word `port / 64` of a 4096-bit bitmap and the bit within it.
  private static func split(_ port: UInt32) -> (word: Int, bit: UInt32) { (Int(port / 64), port % 64) }

  private func pendingWord(_ i: Int) -> UnsafeMutablePointer<UInt64> {
    UnsafeMutableRawPointer(raw).advanced(by: 2048 + 8 * i).assumingMemoryBound(to: UInt64.self)
  }
  private func maskWord(_ i: Int) -> UnsafeMutablePointer<UInt64> {
    UnsafeMutableRawPointer(raw).advanced(by: 2560 + 8 * i).assumingMemoryBound(to: UInt64.self)
  }

  /// Whether `port` has an event pending.
  func isPending(_ port: UInt32) -> Bool {
    let (w, b) = Self.split(port)
    return pendingWord(w).pointee & (1 << UInt64(b)) != 0
  }

  /// Atomically clears `port`'s pending bit; returns whether it was set.
  func testAndClearPending(_ port: UInt32) -> Bool {
    let (w, b) = Self.split(port)
    return guest_test_and_clear_bit(pendingWord(w), b) != 0
  }

  /// Whether `port` is masked (its events do not raise an upcall).
  func isMasked(_ port: UInt32) -> Bool {
    let (w, b) = Self.split(port)
    return maskWord(w).pointee & (1 << UInt64(b)) != 0
  }

  /// Masks `port` (guest-side only; no hypercall needed).
  func mask(_ port: UInt32) {
    let (w, b) = Self.split(port)
    guest_set_bit(maskWord(w), b)
  }

  /// vCPU 0's upcall mask: while set, pending events do not interrupt the guest.
  var upcallMasked: Bool {
    get { raw.pointee.vcpu_info.0.evtchn_upcall_mask != 0 }
    nonmutating set { raw.pointee.vcpu_info.0.evtchn_upcall_mask = newValue ? 1 : 0 }
  }
  /// vCPU 0's "some event is pending" flag.
  var upcallPending: Bool { raw.pointee.vcpu_info.0.evtchn_upcall_pending != 0 }

  /// vCPU 0's system time in ns since boot, from its time record and the TSC.
  func systemTimeNs() -> UInt64 {
    while true {
      let t = raw.pointee.vcpu_info.0.time
      guard t.version & 1 == 0 else { continue }     // Xen is updating it
      guest_barrier()
      let delta = guest_rdtsc() &- t.tsc_timestamp
      let shifted = t.tsc_shift >= 0 ? delta << UInt64(t.tsc_shift) : delta >> UInt64(-Int(t.tsc_shift))
      let scaled = shifted.multipliedFullWidth(by: UInt64(t.tsc_to_system_mul))
      let ns = t.system_time &+ (scaled.high << 32 | scaled.low >> 32)
      guest_barrier()
      if raw.pointee.vcpu_info.0.time.version == t.version { return ns }
    }
  }
}
