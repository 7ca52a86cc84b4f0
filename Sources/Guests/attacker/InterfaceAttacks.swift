/// Attacks on the hypercall interface itself: the hypervisor's virtual ranges, bad pointers,
/// huge counts, unknown numbers, event channels, grants (XSA-224 and the catalogue's grant
/// rules), control operations, and privileged instructions.
import GuestArch

/// The hypervisor's ranges as a guest sees them: Xen's read-only M->P table, Bulkhead's direct
/// map, and Bulkhead's image slot (PML4 255).
let hypervisorVAs: [(String, UInt64)] = [
  ("M2P 0xffff800000000000", 0xFFFF_8000_0000_0000),
  ("directmap 0xffff830000000000", 0xFFFF_8300_0000_0000),
  ("image 0x00007f8000000000", 0x0000_7F80_0000_0000),
  ("image+1MiB 0x00007f8000100000", 0x0000_7F80_0010_0000),
]

func hypervisorRangeAttacks() {
  for (name, va) in hypervisorVAs {
    attack("updateVaMapping into \(name)") { errno(uva(va, Target.victimMFN << 12 | rw)) }
  }
  attack("writeM2P (store to 0xffff800000000000)") { fault(guest_probe_store64(0xFFFF_8000_0000_0000, 7)) }
  attack("readDirectMap (load 0xffff830000100000)") {
    var out: UInt64 = 0
    return fault(guest_probe_load64(0xFFFF_8300_0010_0000, &out))
  }
  attack("readHypervisorImage (load 0x00007f8000100000)") {
    var out: UInt64 = 0
    return fault(guest_probe_load64(0x0000_7F80_0010_0000, &out))
  }
  attack("nonCanonicalLoad (0x0000800000000000)") {
    var out: UInt64 = 0
    return fault(guest_probe_load64(0x0000_8000_0000_0000, &out))
  }
}

/// Bad pointers, huge counts and unknown hypercall numbers.
func argumentAttacks() {
  // Pointers a guest cannot read (the M->P table is readable to it, so reads from it are
  // legitimate; it is only a target for writes).
  let unreadable: [(String, UInt64)] =
    [("null", 0), ("null+8", 8)] + hypervisorVAs.dropFirst() + [("noncanonical", 0x8000_0000_0000_0000)]
  let unwritable = unreadable + [hypervisorVAs[0]]
  for (name, p) in unreadable {
    attack("consoleIO read from \(name)") { errno(guest_hypercall(18, 0, 64, p, 0, 0)) }
    attack("mmuUpdate list at \(name)") { errno(guest_hypercall(1, p, 1, 0, domidSelf, 0)) }
    attack("memoryOp current_reservation domid at \(name)") { errno(guest_hypercall(12, 3, p, 0, 0, 0)) }
    attack("eventChannelOp send port at \(name)") { errno(guest_hypercall(32, 4, p, 0, 0, 0)) }
    attack("schedOp shutdown reason at \(name)") { errno(guest_hypercall(29, 2, p, 0, 0, 0)) }
    attack("multicall list at \(name)") { errno(guest_hypercall(13, p, 1, 0, 0, 0)) }
    if p != 0 {
      attack("setTrapTable at \(name)") {
        let r = guest_hypercall(0, p, 0, 0, 0, 0)
        try? Exceptions.install()
        return errno(r)
      }
    }
  }
  for (name, p) in unwritable {
    attack("xenVersion extraversion into \(name)") { errno(guest_hypercall(17, 1, p, 0, 0, 0)) }
    attack("grantTableOp query_size at \(name)") { errno(guest_hypercall(20, 6, p, 1, 0, 0)) }
    if p != 0 { attack("mmuUpdate done-count into \(name)") {
      var req = xen_mmu_update(ptr: Target.victimPTE, val: Target.victimMFN << 12 | rw)
      return errno(withUnsafeMutablePointer(to: &req) { guest_hypercall(1, addr($0), 1, p, domidSelf, 0) })
    } }
  }
  attack("populatePhysmap extent list in the M2P (write to read-only)") {
    var r = xen_mem_reservation(
      extent_start: 0xFFFF_8000_0000_0000, nr_extents: 1, extent_order: 0, mem_flags: 0, domid: UInt16(XEN_DOMID_SELF))
    return errno(withUnsafeMutablePointer(to: &r) { guest_hypercall(12, 6, addr($0), 0, 0, 0) })
  }
  attack("setTrapTable handler in the hypervisor") {
    let r = (try? Traps.setTrapTable([Traps.entry(vector: 13, handler: 0xFFFF_8300_0000_0000)])) == nil
    try? Exceptions.install()
    return r ? .refused("rejected") : .breach("accepted")
  }
  attack("setCallbacks into the hypervisor") { errno(guest_hypercall(4, 0xFFFF_8300_0000_1000, 0, 0, 0, 0)) }
  attack("setSegmentBase non-canonical FS") { errno(guest_hypercall(25, 0, 0x8000_0000_0000_0000, 0, 0, 0)) }
  attack("mmuUpdate huge count (2^40)") { errno(guest_hypercall(1, Target.victimVA, 1 << 40, 0, domidSelf, 0)) }
  attack("mmuextOp huge count (2^40)") { errno(guest_hypercall(26, Target.victimVA, 1 << 40, 0, domidSelf, 0)) }
  attack("multicall huge count (2^40)") { errno(guest_hypercall(13, Target.victimVA, 1 << 40, 0, 0, 0)) }
  attack("grantTableOp huge count (2^31)") { errno(guest_hypercall(20, 6, Target.victimVA, 1 << 31, 0, 0)) }
  attack("memoryOp decrease_reservation huge count") {
    errno(reservation(XEN_XENMEM_decrease_reservation, [Target.victimMFN], count: 1 << 40))
  }
  attack("memoryOp extent_order 9 (superpage)") {
    var list: [UInt64] = [0x10_0000]
    return list.withUnsafeMutableBufferPointer { buf in
      var r = xen_mem_reservation(
        extent_start: UInt64(UInt(bitPattern: buf.baseAddress)), nr_extents: 1, extent_order: 9, mem_flags: 0,
        domid: UInt16(XEN_DOMID_SELF))
      return errno(withUnsafeMutablePointer(to: &r) { guest_hypercall(12, 6, addr($0), 0, 0, 0) })
    }
  }
  attack("multicall nesting (multicall inside multicall)") {
    var inner = [Multicall.entry(.xenVersion, 0, 0)]
    return inner.withUnsafeMutableBufferPointer { ib in
      var calls = [Multicall.entry(.multicall, UInt64(UInt(bitPattern: ib.baseAddress)), 1)]
      let r = (try? Multicall.run(&calls)) != nil
      return r && calls[0].result < 0 ? .refused("entry errno \(-calls[0].result)")
        : r ? .breach("nested multicall ran (\(calls[0].result))") : .refused("multicall refused")
    }
  }
  attack("multicall containing iret") {
    var calls = [Multicall.entry(.xenVersion, 0, 0)]
    calls[0].op = 23
    let r = (try? Multicall.run(&calls)) != nil
    return r && calls[0].result < 0 ? .refused("entry errno \(-calls[0].result)") : .breach("iret ran inside a multicall")
  }
  for nr: UInt64 in [56, 57, 60, 63, 100, 127] {
    attack("unknown hypercall \(nr)") { errno(guest_raw_syscall(nr, 0, 0, 0)) }
  }
  for nr: UInt64 in [128, 1000, 0xFFFF_FFFF, 1 << 32, 0x8000_0000_0000_0000] {
    attack("unknown hypercall \(hex(nr)) (raw syscall)") { errno(guest_raw_syscall(nr, 0, 0, 0)) }
  }
  attack("unknown memory_op sub-op 63") { errno(guest_hypercall(12, 63, Target.victimVA, 0, 0, 0)) }
  attack("memory_op exchange (XSA-212 class)") { errno(guest_hypercall(12, 11, 0xFFFF_8300_0000_0000, 0, 0, 0)) }
  attack("unknown mmuext_op command 99") { errno(ext1(99, Target.victimMFN)) }
}

/// Event channels: ports that are not ours, domains that do not exist.
func eventAttacks() {
  func evtchn(_ cmd: Int32, _ words: inout (UInt64, UInt64)) -> Int64 {
    withUnsafeMutablePointer(to: &words) { guest_hypercall(32, UInt64(cmd), addr($0), 0, 0, 0) }
  }
  if let peer = Target.peer {
    attack("bindPortOfferedToOther (peer \(peer) port 1)") {
      var a = (UInt64(peer) | 1 << 32, 0 as UInt64)   // remote_dom, remote_port 1
      return errno(evtchn(XEN_EVTCHNOP_bind_interdomain, &a))
    }
    attack("allocUnbound on behalf of peer (dom = peer)") {
      var a = (UInt64(peer) | UInt64(Target.domid) << 16, 0 as UInt64)
      return errno(evtchn(XEN_EVTCHNOP_alloc_unbound, &a))
    }
  }
  attack("bindInterdomain to a domain that does not exist (999)") {
    var a = (999 | 1 << 32 as UInt64, 0 as UInt64)
    return errno(evtchn(XEN_EVTCHNOP_bind_interdomain, &a))
  }
  for port: UInt64 in [0, 4095, 4096, 1 << 31] {
    attack("send on port \(port)") {
      var a = (port, 0 as UInt64)
      return errno(evtchn(XEN_EVTCHNOP_send, &a))
    }
    attack("close port \(port)") {
      var a = (port, 0 as UInt64)
      return errno(evtchn(XEN_EVTCHNOP_close, &a))
    }
  }
  attack("unmask port 2^31") {
    var a = (1 << 31 as UInt64, 0 as UInt64)
    return errno(evtchn(XEN_EVTCHNOP_unmask, &a))
  }
  attack("bindVIRQ 999") {
    var a = (999 as UInt64, 0 as UInt64)
    return errno(evtchn(XEN_EVTCHNOP_bind_virq, &a))
  }
  attack("bindVIRQ on vCPU 99") {
    var a = (0 | 99 << 32 as UInt64, 0 as UInt64)
    return errno(evtchn(XEN_EVTCHNOP_bind_virq, &a))
  }
  attack("poll 1000 ports (more than allowed)") {
    var ports = [UInt32](repeating: 1, count: 1000)
    return ports.withUnsafeMutableBufferPointer { buf in
      var p = xen_sched_poll(ports: UInt64(UInt(bitPattern: buf.baseAddress)), nr_ports: 1000, timeout: 1)
      return errno(withUnsafeMutablePointer(to: &p) { guest_hypercall(29, 3, addr($0), 0, 0, 0) })
    }
  }
}
