/// sdkcheck: exercises every SDK wrapper against the hypervisor and prints one line per check,
/// `ok <name>` or `FAIL <name>: <why>`, then `sdkcheck: N/M passed`. Run it on Xen to validate
/// the SDK, and on Bulkhead to see which parts of the PV ABI it implements.
import GuestArch

var passed = 0
var total = 0

/// Runs one check: `body` returns nil on success or the reason it failed.
func check(_ name: String, _ body: () throws(XenError) -> String?) {
  total += 1
  do throws(XenError) {
    if let why = try body() {
      print("FAIL \(name): \(why)")
    } else {
      passed += 1
      print("ok \(name)")
    }
  } catch {
    print("FAIL \(name): \(error.text)")
  }
}

func guestMain(_ boot: StartInfo) {
  print("sdkcheck: Bulkhead guest SDK self-test")
  var shared: SharedInfo? = nil

  check("xen_version") { () throws(XenError) in
    let v = XenVersion.number()
    return v.major >= 3 ? nil : "version \(v.major).\(v.minor)"
  }
  check("multicall") { () throws(XenError) in
    var calls = [Multicall.entry(.xenVersion, 0, 0), Multicall.entry(.xenVersion, 0, 0)]
    try Multicall.run(&calls)
    let direct = Int64(bitPattern: UInt64(XenVersion.number().major << 16 | XenVersion.number().minor))
    return calls[0].result == direct && calls[1].result == direct ? nil : "results \(calls[0].result), \(calls[1].result)"
  }
  check("memory_op current_reservation") { () throws(XenError) in
    let pages = try MemoryOp.currentReservation()
    return pages == Int64(boot.nrPages) ? nil : "\(pages) pages, start_info says \(boot.nrPages)"
  }
  check("page-table walk") { () throws(XenError) in
    // The image's first page is pfn 0; its PTE must name mfn_list[0].
    let va = UInt64(GUEST_VIRT_BASE)
    guard let ma = PageTable.machineAddress(of: va, boot) else { return "\(hex(va)) not mapped" }
    let expected = PageTable.mfn(ofPFN: 0, boot) ?? 0
    return ma >> 12 == expected ? nil : "mfn \(hex(ma >> 12)), mfn_list[0] = \(hex(expected))"
  }
  check("update_va_mapping shared_info") { () throws(XenError) in
    let s = try SharedInfo.map(machineAddress: boot.sharedInfoMachineAddress)
    shared = s
    return s.upcallMasked ? nil : "vCPU 0 upcalls not masked at boot"
  }
  check("event channel loopback") { () throws(XenError) in
    guard let s = shared else { return "no shared_info" }
    let a = try EventChannel.allocUnbound(remote: EventChannel.selfDomain)
    let b = try EventChannel.bindInterdomain(remote: EventChannel.selfDomain, remotePort: a)
    s.mask(a)
    try EventChannel.send(b)
    let pending = s.testAndClearPending(a)
    try EventChannel.unmask(a)
    try EventChannel.close(b)
    try EventChannel.close(a)
    return pending ? nil : "send on \(b) did not mark \(a) pending"
  }
  check("timer VIRQ + poll") { () throws(XenError) in
    guard let s = shared else { return "no shared_info" }
    let port = try EventChannel.bindVIRQ(.timer)
    let now = s.systemTimeNs()
    try Timer.setTimer(deadlineNs: now + 1_000_000)
    try Sched.poll([port], timeoutNs: now + 1_000_000_000)
    let fired = s.testAndClearPending(port)
    let later = s.systemTimeNs()
    try EventChannel.close(port)
    return fired && later > now ? nil : "fired \(fired), time \(now) -> \(later)"
  }
  check("grant table v1") { () throws(XenError) in
    let size = try GrantTable.querySize()
    let table = try GrantTable.setUp(frames: 1)
    let mfn = PageTable.mfn(ofPFN: 1, boot) ?? 0
    table.grantAccess(GrantTable.firstFreeReference, to: 0, mfn: mfn, readOnly: true)
    let e = table.entry(GrantTable.firstFreeReference)
    let ended = table.endAccess(GrantTable.firstFreeReference)
    return size.maxFrames >= 1 && e.flags == 5 && UInt64(e.frame) == mfn && ended
      ? nil : "max \(size.maxFrames), flags \(e.flags)"
  }
  check("set_trap_table") { () throws(XenError) in
    try Traps.setTrapTable([Traps.entry(vector: 3, handler: guest_hypercall_page(), dpl: 3)])
    return nil
  }
  check("vcpu_op is_up") { () throws(XenError) in
    try Timer.isUp(vcpu: 0) ? nil : "vCPU 0 not up"
  }
  check("error mapping") { () throws(XenError) in
    do throws(XenError) {
      try EventChannel.close(4095)          // never allocated
      return "closing an unallocated port succeeded"
    } catch {
      return error == .invalid || error == .noEntry ? nil : "got \(error.text)"
    }
  }
  print("sdkcheck: \(passed)/\(total) passed")
}
