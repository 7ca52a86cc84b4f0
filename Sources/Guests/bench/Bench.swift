/// bench: in-guest microbenchmarks, timed with rdtsc, each the median of `runs=` runs (default 9).
/// Runs as a single domain (dom0 on Xen): event channels use a loopback pair (alloc_unbound to
/// itself + bind_interdomain to itself). Prints a machine-readable block:
///
///     bench: begin tsc_khz=K runs=R
///     bench: NAME cycles=C ns=N        (one per benchmark: the cost of ONE operation)
///     bench: end
///
/// Benchmarks:
///   null_hypercall       xen_version(XENVER_version)
///   enosys_hypercall     hypercall 63 (nobody implements it): the bare entry/exit path
///   multicall_32         one multicall of 32 xen_version entries
///   evtchn_send          EVTCHNOP_send on a loopback port (marks the peer pending)
///   evtchn_send_poll     send + SCHEDOP_poll on the (now pending) peer port + clear
///   update_va_mapping    remap one page between two frames (UVMF_INVLPG)
///   mmu_update_512       one mmu_update batch rewriting all 512 entries of a live L1 (same values)
///   tlb_flush_touch_256  MMUEXT_TLB_FLUSH_LOCAL, then touch 256 pages (256 hardware walks)
import GuestArch

nonisolated(unsafe) var timeInfo: xen_vcpu_time_info = xen_vcpu_time_info()

/// Cycles to nanoseconds with the hypervisor's TSC scale (vcpu_time_info).
func nanoseconds(_ cycles: UInt64) -> UInt64 {
  let t = timeInfo
  let shifted = t.tsc_shift >= 0 ? cycles << UInt64(t.tsc_shift) : cycles >> UInt64(-Int(t.tsc_shift))
  let p = shifted.multipliedFullWidth(by: UInt64(t.tsc_to_system_mul))
  return p.high << 32 | p.low >> 32
}

/// Median over `runs` runs of (cycles for `iterations` calls of `body`) / iterations.
func measure(_ runs: Int, _ iterations: Int, _ body: () -> Void) -> UInt64 {
  var samples: [UInt64] = []
  body()   // warm up
  for _ in 0..<runs {
    let start = guest_rdtsc()
    for _ in 0..<iterations { body() }
    samples.append((guest_rdtsc() &- start) / UInt64(iterations))
  }
  samples.sort()
  return samples[samples.count / 2]
}

func report(_ name: String, _ cycles: UInt64) {
  print("bench: \(name) cycles=\(cycles) ns=\(nanoseconds(cycles))")
}

func fail(_ why: String) -> Never {
  print("bench: FAIL \(why)")
  Sched.shutdown(.crash)
}

func guestMain(_ boot: StartInfo) {
  let runs = Int(boot.number("runs", default: 9))
  let shared: SharedInfo
  do throws(XenError) { shared = try SharedInfo.map(machineAddress: boot.sharedInfoMachineAddress) } catch {
    fail("map shared_info: \(error.text)")
  }
  timeInfo = shared.raw.pointee.vcpu_info.0.time
  // kHz = 1e6 ns/ms ÷ ns per 1e6 cycles... measured directly: cycles per ms of system time.
  let t0 = shared.systemTimeNs(), c0 = guest_rdtsc()
  while shared.systemTimeNs() - t0 < 20_000_000 {}
  let khz = (guest_rdtsc() - c0) * 1_000_000 / (shared.systemTimeNs() - t0)
  print("bench: begin tsc_khz=\(khz) runs=\(runs)")

  report("null_hypercall", measure(runs, 2000) { _ = Hypercall.raw(.xenVersion, 0, 0) })
  report("enosys_hypercall", measure(runs, 2000) { _ = guest_hypercall(63, 0, 0, 0, 0, 0) })

  var calls = [xen_multicall_entry](repeating: Multicall.entry(.xenVersion, 0, 0), count: 32)
  report("multicall_32", measure(runs, 100) { _ = try? Multicall.run(&calls) })

  // Event channels: a loopback pair.
  let a: UInt32, b: UInt32
  do throws(XenError) {
    a = try EventChannel.allocUnbound(remote: EventChannel.selfDomain)
    b = try EventChannel.bindInterdomain(remote: EventChannel.selfDomain, remotePort: a)
  } catch { fail("loopback event channel: \(error.text)") }
  shared.mask(a)
  report("evtchn_send", measure(runs, 2000) { _ = try? EventChannel.send(b) })
  _ = shared.testAndClearPending(a)
  report("evtchn_send_poll", measure(runs, 1000) {
    _ = try? EventChannel.send(b)
    _ = try? Sched.poll([a], timeoutNs: 1)
    _ = shared.testAndClearPending(a)
  })

  // update_va_mapping: one heap page's VA flipped between its frame and another page's.
  let pages = UnsafeMutableRawPointer.allocate(byteCount: 2 * 4096, alignment: 4096)
  pages.storeBytes(of: 1, as: UInt64.self)
  (pages + 4096).storeBytes(of: 2, as: UInt64.self)
  let va = UInt64(UInt(bitPattern: pages))
  guard let ma0 = PageTable.machineAddress(of: va, boot), let ma1 = PageTable.machineAddress(of: va + 4096, boot) else {
    fail("heap pages not mapped")
  }
  var flip = false
  report("update_va_mapping", measure(runs, 500) {
    flip.toggle()
    _ = Hypercall.raw(.updateVAMapping, va, PageTable.pte(machineAddress: flip ? ma1 : ma0, writable: true), 2)
  })
  _ = Hypercall.raw(.updateVAMapping, va, PageTable.pte(machineAddress: ma0, writable: true), 2)

  // mmu_update: the L1 that maps the heap page, all 512 entries rewritten with their values.
  guard let l1Entry = PageTable.entryMachineAddress(of: va, level: 1, boot) else { fail("no L1 for the heap") }
  let l1MFN = l1Entry >> 12
  guard let l1VA = PageTable.virtualAddress(ofPFN: PageTable.pfn(ofMFN: l1MFN), boot) else { fail("L1 not mapped") }
  let l1 = UnsafePointer<UInt64>(bitPattern: UInt(l1VA))!
  var batch = [xen_mmu_update](repeating: xen_mmu_update(), count: 512)
  report("mmu_update_512", measure(runs, 20) {
    for i in 0..<512 { batch[i] = xen_mmu_update(ptr: l1MFN << 12 + UInt64(i) * 8, val: l1[i]) }
    batch.withUnsafeBufferPointer { buf in
      let r = PageTable.mmuUpdateCounting(buf)
      if r.result != 0 || r.done != 512 { fail("mmu_update batch: \(r.result), \(r.done) done") }
    }
  })

  // TLB flush, then 256 page walks (the image and heap pages are all mapped).
  let base = UInt64(GUEST_VIRT_BASE)
  var sum: UInt64 = 0
  report("tlb_flush_touch_256", measure(runs, 20) {
    try? PageTable.flushLocalTLB()
    for i in 0..<256 { sum &+= UInt64(UnsafePointer<UInt8>(bitPattern: UInt(base + UInt64(i) * 4096))!.pointee) }
  })
  print("bench: end")
  if sum == 1 { print("") }   // keep the loads
}
