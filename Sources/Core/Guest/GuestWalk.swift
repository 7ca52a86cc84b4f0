/// Reading and writing guest virtual memory on the guest's behalf (Xen's copy_from_guest),
/// by walking the guest's page tables in software.
///
/// Why not just dereference the guest pointer: a bad pointer would fault inside the
/// hypervisor. The walk checks every level (present, user, writable for writes, no
/// superpages, frame inside the machine) and refuses instead, so a hypercall with a bad
/// pointer gets -EFAULT and nothing else happens.
public enum GuestWalk {
  static let present: UInt64 = 1 << 0
  static let writable: UInt64 = 1 << 1
  static let user: UInt64 = 1 << 2
  static let largePage: UInt64 = 1 << 7
  static let frameMask: UInt64 = 0x000F_FFFF_FFFF_F000

  /// The machine address backing `va` in the tree rooted at `root`, or nil if the guest
  /// itself could not access it (not present, not user, read-only for a write, not canonical).
  public static func translate<M: MachineMemory>(
    _ memory: M, root: MFN, va: UInt64, write: Bool, frameCount: UInt64
  ) -> UInt64? {
    let top = va >> 47
    guard top == 0 || top == 0x1FFFF else { return nil }   // canonical
    var table = root
    var shift: UInt64 = 39
    while true {
      guard table.raw < frameCount else { return nil }
      let entry = memory.readEntry(frame: table, index: Int((va >> shift) & 511))
      guard entry & present != 0, entry & user != 0, !write || entry & writable != 0 else { return nil }
      if shift > 12 && entry & largePage != 0 { return nil }   // PV guests have no superpages
      let next = MFN((entry & frameMask) >> 12)
      if shift == 12 {
        guard next.raw < frameCount else { return nil }
        return next.address.raw | (va & 0xFFF)
      }
      table = next
      shift -= 9
    }
  }

  /// Calls `body(machineAddress, length)` for each page-bounded piece of [va, va+count),
  /// after checking the WHOLE range first, so a copy either happens completely or not at all.
  /// Returns false (and calls nothing) if any byte is inaccessible.
  public static func forEachPiece<M: MachineMemory>(
    _ memory: M, root: MFN, va: UInt64, count: UInt64, write: Bool, frameCount: UInt64,
    _ body: (UInt64, UInt64) -> Void
  ) -> Bool {
    guard count > 0 else { return true }
    let (_, overflow) = va.addingReportingOverflow(count - 1)
    guard !overflow, count <= 1 << 24 else { return false }
    var page = va & ~0xFFF
    while page <= (va + count - 1) & ~0xFFF {
      if translate(memory, root: root, va: page, write: write, frameCount: frameCount) == nil { return false }
      page += 0x1000
    }
    var done: UInt64 = 0
    while done < count {
      let at = va + done
      let inPage = min(count - done, 0x1000 - (at & 0xFFF))
      // Translated above: cannot fail now, nothing changed in between.
      let machine = translate(memory, root: root, va: at, write: write, frameCount: frameCount) ?? 0
      body(machine, inPage)
      done += inPage
    }
    return true
  }
}
