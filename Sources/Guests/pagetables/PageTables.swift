/// pagetables: builds a second address space through the PV MMU interface, switches to it,
/// uses it, switches back and tears it down, printing `pagetables: <step> ok` per step and
/// `pagetables: N/N steps ok` at the end (any failure prints `FAIL` and crashes the domain).
///
/// 1. decrease_reservation of 5 frames the guest owns but has never mapped (pfns beyond the
///    builder's initial mapping), so the next step also works where the domain is at its
///    maximum (dom0 on Xen), then populate_physmap of 5 fresh frames for the same pfns.
/// 2. Zero each frame through a temporary writable mapping (update_va_mapping on a heap page).
/// 3. mmu_update writes the tree: L4'[0] = the current L3 (so code, stack and hypercall page
///    stay mapped), L4'[1] -> L3' -> L2' -> L1' -> D, i.e. D at 0x0000_0080_0000_0000 (RW) and
///    again at +4 KiB (read-only).
/// 4. Pin L4' (validates the whole tree), new_baseptr to it, read and write D through the new
///    mapping, see a write through the read-only alias fault (#PF, caught by a probe).
/// 5. new_baseptr back, check the write through the scratch mapping, unpin, give the 5
///    frames back with decrease_reservation.
import GuestArch

nonisolated(unsafe) var steps = 0

func fail(_ what: String, _ why: String) -> Never {
  print("pagetables: FAIL \(what): \(why)")
  Sched.shutdown(.crash)
}

/// Runs one step; `body` returns nil on success or why it failed.
func step(_ what: String, _ body: () throws(XenError) -> String?) {
  do throws(XenError) {
    if let why = try body() { fail(what, why) }
  } catch { fail(what, error.text) }
  steps += 1
  print("pagetables: \(what) ok")
}

let newSpaceVA: UInt64 = 1 << 39              // L4 index 1, everything else 0
let tableFlags: UInt64 = PageTable.present | PageTable.writable | PageTable.user | PageTable.accessed

func guestMain(_ boot: StartInfo) {
  print("pagetables: building a second address space with mmu_update / mmuext_op")
  step("map shared_info and install trap handlers") { () throws(XenError) in
    _ = try SharedInfo.map(machineAddress: boot.sharedInfoMachineAddress)
    try Exceptions.install()
    return nil
  }

  // Pseudo-physical frames the guest owns but the builder did not map: past the initial mapping.
  let p2m = UnsafeMutablePointer<UInt64>(mutating: boot.mfnList.baseAddress!)
  var pfns: [UInt64] = []
  var pfn = boot.nrPages - 1
  while pfns.count < 5 && pfn > 0 {
    let va = UInt64(GUEST_VIRT_BASE) + pfn << 12
    if PageTable.machineAddress(of: va, boot) == nil { pfns.append(pfn) }
    pfn -= 1
  }
  guard pfns.count == 5 else { fail("find unused pfns", "only \(pfns.count) unmapped pfns") }

  step("decrease_reservation of 5 unused frames") { () throws(XenError) in
    let before = try MemoryOp.currentReservation()
    let n = try MemoryOp.decreaseReservation(pfns.map { p2m[Int($0)] })
    for p in pfns { p2m[Int(p)] = XEN_MMU_INVALID_MFN }
    let after = try MemoryOp.currentReservation()
    return n == 5 && after == before - 5 ? nil : "released \(n), reservation \(before) -> \(after)"
  }

  var frames: [UInt64] = []
  step("populate_physmap of 5 frames") { () throws(XenError) in
    frames = try MemoryOp.populatePhysmap(pfns: pfns)
    guard frames.count == 5 else { return "got \(frames.count) frames" }
    for (p, m) in zip(pfns, frames) {
      p2m[Int(p)] = m
      guard PageTable.pfn(ofMFN: m) == p else { return "M2P[\(hex(m))] = \(hex(PageTable.pfn(ofMFN: m))), expected \(p)" }
    }
    return nil
  }
  let (l4, l3, l2, l1, data) = (frames[0], frames[1], frames[2], frames[3], frames[4])

  // A heap page whose VA we borrow as a window onto the new frames.
  let scratch = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
  let scratchVA = UInt64(UInt(bitPattern: scratch))
  scratch.storeBytes(of: 0, as: UInt64.self)
  guard let scratchMA = PageTable.machineAddress(of: scratchVA, boot) else { fail("scratch", "heap page not mapped") }
  func withWindow(onto mfn: UInt64, _ body: (UnsafeMutablePointer<UInt64>) -> Void) throws(XenError) {
    try PageTable.updateVAMapping(scratchVA, pte: PageTable.pte(machineAddress: mfn << 12, writable: true))
    body(scratch.assumingMemoryBound(to: UInt64.self))
    try PageTable.updateVAMapping(scratchVA, pte: PageTable.pte(machineAddress: scratchMA, writable: true))
  }

  step("zero the 5 frames through a temporary mapping") { () throws(XenError) in
    for f in frames { try withWindow(onto: f) { p in for i in 0..<512 { p[i] = 0 } } }
    try withWindow(onto: data) { p in
      for i in 0..<512 { p[i] = 0x5047_5442_0000_0000 | UInt64(i) }   // "PGTB" | index
    }
    return nil
  }

  guard let currentL3 = PageTable.tableMFNs(for: UInt64(GUEST_VIRT_BASE), boot).dropFirst().first,
    let currentL4 = PageTable.tableMFNs(for: UInt64(GUEST_VIRT_BASE), boot).first
  else { fail("walk", "cannot find the current L4/L3") }

  step("mmu_update writes L4', L3', L2', L1' (6 entries, one batch)") { () throws(XenError) in
    let entry = { (table: UInt64, index: UInt64, value: UInt64) in
      xen_mmu_update(ptr: table << 12 + index * 8 | UInt64(XEN_MMU_NORMAL_PT_UPDATE), val: value)
    }
    let updates = [
      entry(l4, 0, currentL3 << 12 | tableFlags),
      entry(l4, 1, l3 << 12 | tableFlags),
      entry(l3, 0, l2 << 12 | tableFlags),
      entry(l2, 0, l1 << 12 | tableFlags),
      entry(l1, 0, PageTable.pte(machineAddress: data << 12, writable: true)),
      entry(l1, 1, PageTable.pte(machineAddress: data << 12, writable: false)),
    ]
    let done = try PageTable.mmuUpdate(updates)
    return done == updates.count ? nil : "\(done)/\(updates.count) applied"
  }

  step("pin L4' (validates L3', L2', L1')") { () throws(XenError) in
    try PageTable.pin(level: 4, mfn: l4)
    return nil
  }

  step("new_baseptr to L4'") { () throws(XenError) in
    try PageTable.newBaseptr(mfn: l4)
    return nil
  }

  step("read D through the new mapping at 0x8000000000") { () throws(XenError) in
    let p = UnsafeMutablePointer<UInt64>(bitPattern: UInt(newSpaceVA))!
    for i in 0..<512 where p[i] != 0x5047_5442_0000_0000 | UInt64(i) {
      return "word \(i) is \(hex(p[i]))"
    }
    p[7] = 0xB01D_FACE
    let alias = UnsafeMutablePointer<UInt64>(bitPattern: UInt(newSpaceVA + 4096))!
    return alias[7] == 0xB01D_FACE ? nil : "read-only alias reads \(hex(alias[7]))"
  }

  step("write through the read-only alias faults (#PF)") { () throws(XenError) in
    let r = guest_probe_store64(newSpaceVA + 4096 + 8, 0xBAD)
    guard r == 0x100 | Exceptions.pageFault else { return "probe returned \(hex(r))" }
    let cr2 = Exceptions.last?.cr2 ?? 0
    return cr2 == newSpaceVA + 4096 + 8 ? nil : "cr2 \(hex(cr2))"
  }

  step("new_baseptr back to the boot L4") { () throws(XenError) in
    try PageTable.newBaseptr(mfn: currentL4)
    return nil
  }

  step("D holds the write made through the new address space") { () throws(XenError) in
    var word: UInt64 = 0
    try withWindow(onto: data) { p in word = p[7] }
    return word == 0xB01D_FACE ? nil : "D[7] is \(hex(word)) after switching back"
  }

  step("0x8000000000 is unmapped again in the boot address space") { () throws(XenError) in
    var out: UInt64 = 0
    let r = guest_probe_load64(newSpaceVA, &out)
    return r == 0x100 | Exceptions.pageFault ? nil : "probe returned \(hex(r))"
  }

  step("unpin L4'") { () throws(XenError) in
    try PageTable.unpin(mfn: l4)
    return nil
  }

  step("decrease_reservation of the 5 frames (tables and D)") { () throws(XenError) in
    let n = try MemoryOp.decreaseReservation(frames)
    for p in pfns { p2m[Int(p)] = XEN_MMU_INVALID_MFN }
    return n == 5 ? nil : "released \(n)"
  }
  print("pagetables: \(steps)/\(steps) steps ok")
}
