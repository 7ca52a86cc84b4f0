/// attacker: tries every isolation violation of the Spec's attack catalogue (Spec/Attacks.swift)
/// that a guest can express, plus the classic bad-argument, bad-pointer, unknown-hypercall and
/// privileged-instruction attacks. Each prints `attack NAME: refused (errno X)` (or `GNTST X`,
/// or the exception that stopped it) or `attack NAME: BREACH (...)`; the last line is
/// `attacker: N/M refused`. All refused: power off; any breach: shutdown(crash).
///
/// Args: `domid=N` (its own domain id; default 0), `peer=N` (another running domain to aim at:
/// its grants and ports), `partner=N` (another attacker to trade grants with, so the grant
/// attacks reach the checks on mapped grants; see `grantAttacks`), `mode=crash` (crash on
/// purpose: a write to address 8 with no trap handler, for the "crashed domain" test).
///
/// Targets: its own frames (start_info.mfn_list), its own page tables (a walk of 0x400000),
/// frames it does not own (found by scanning the read-only M->P table for frames with a
/// pfn that are not in its P->M list), hypervisor frames (low MFNs, the frames its L4's
/// hypervisor slots point at, a frame beyond RAM) and the hypervisor's virtual ranges.
/// Mapping attacks aim at a "victim" heap page holding a canary; after each refused attempt the
/// canary must still read back, i.e. a refusal changed nothing.
import GuestArch

/// How one attempt ended.
enum Outcome {
  case refused(String)
  case breach(String)
}

nonisolated(unsafe) var attempted = 0
nonisolated(unsafe) var refused = 0
nonisolated(unsafe) var breaches: [String] = []

/// Runs and reports one attack.
func attack(_ name: String, _ body: () -> Outcome) {
  attempted += 1
  var outcome = body()
  if case .refused = outcome, let broken = Target.victimDamage() {
    outcome = .breach("refused, but the victim page changed: \(broken)")
  }
  switch outcome {
  case .refused(let why):
    refused += 1
    print("attack \(name): refused (\(why))")
  case .breach(let why):
    breaches.append(name)
    print("attack \(name): BREACH (\(why))")
  }
}

/// A hypercall result: negative is a refusal with that errno.
func errno(_ r: Int64) -> Outcome {
  r < 0 ? .refused("errno \(-r)") : .breach("returned \(r)")
}

/// A probe result: 0x100 | vector when the instruction faulted.
func fault(_ r: UInt64) -> Outcome {
  r & 0x100 != 0 ? .refused(Exceptions.name(r & 0xFF)) : .breach("instruction completed")
}

/// A grant result.
func grant(_ body: () throws(GrantStatus) -> Void) -> Outcome {
  do throws(GrantStatus) {
    try body()
    return .breach("grant operation succeeded")
  } catch {
    return .refused(error.text)
  }
}

/// The address of `value` as a hypercall argument.
func addr<T>(_ p: UnsafeMutablePointer<T>) -> UInt64 { UInt64(UInt(bitPattern: p)) }

let domidSelf = UInt64(XEN_DOMID_SELF)

/// One MMU_NORMAL_PT_UPDATE (or any `ptr` with its command bits).
func mmu1(_ ptr: UInt64, _ val: UInt64, domid: UInt64 = domidSelf) -> Int64 {
  var req = xen_mmu_update(ptr: ptr, val: val)
  var done: UInt32 = 0
  return withUnsafeMutablePointer(to: &req) { r in
    withUnsafeMutablePointer(to: &done) { d in guest_hypercall(1, addr(r), 1, addr(d), domid, 0) }
  }
}

/// One mmuext_op.
func ext1(_ cmd: Int32, _ arg1: UInt64, domid: UInt64 = domidSelf) -> Int64 {
  var op = xen_mmuext_op()
  op.cmd = UInt32(cmd)
  op.arg1.mfn = arg1
  return withUnsafeMutablePointer(to: &op) { p in guest_hypercall(26, addr(p), 1, 0, domid, 0) }
}

/// update_va_mapping(va, pte, UVMF_INVLPG).
func uva(_ va: UInt64, _ pte: UInt64) -> Int64 { guest_hypercall(14, va, pte, 2, 0, 0) }

/// memory_op on one reservation with `frames` (order 0).
func reservation(_ cmd: Int32, _ frames: [UInt64], domid: UInt16 = UInt16(XEN_DOMID_SELF), count: UInt64? = nil) -> Int64 {
  var list = frames
  return list.withUnsafeMutableBufferPointer { buf in
    var r = xen_mem_reservation(
      extent_start: UInt64(UInt(bitPattern: buf.baseAddress)), nr_extents: count ?? UInt64(buf.count),
      extent_order: 0, mem_flags: 0, domid: domid)
    return withUnsafeMutablePointer(to: &r) { p in guest_hypercall(12, UInt64(cmd), addr(p), 0, 0, 0) }
  }
}

/// What the attacks aim at, found once at start.
enum Target {
  nonisolated(unsafe) static var boot: StartInfo! = nil
  /// Own page tables for the image VA: L4, L3, L2, L1 machine frames.
  nonisolated(unsafe) static var l4: UInt64 = 0, l3: UInt64 = 0, l2: UInt64 = 0, l1: UInt64 = 0
  /// A heap page the mapping attacks try to redirect; it holds `canary`.
  nonisolated(unsafe) static var victimVA: UInt64 = 0
  nonisolated(unsafe) static var victimMFN: UInt64 = 0
  static let canary: UInt64 = 0xC0FF_EE00_DEAD_BEEF
  /// Frames this domain does not own (from the M->P scan), and hypervisor frames.
  nonisolated(unsafe) static var foreign: [UInt64] = []
  nonisolated(unsafe) static var hypervisor: [UInt64] = []
  nonisolated(unsafe) static var domid: UInt16 = 0
  nonisolated(unsafe) static var peer: UInt16? = nil
  /// Another attacker that grants refs 20-22 to us and maps ours (for the grant attacks).
  nonisolated(unsafe) static var partner: UInt16? = nil

  /// The machine address of the L1 entry that maps the victim page.
  static var victimPTE: UInt64 { l1Of(victimVA) }

  static func l1Of(_ va: UInt64) -> UInt64 {
    PageTable.entryMachineAddress(of: va, level: 1, boot) ?? 0
  }

  /// nil if the victim still maps its own frame and holds the canary.
  static func victimDamage() -> String? {
    guard victimVA != 0 else { return nil }
    let ma = PageTable.machineAddress(of: victimVA, boot) ?? 0
    if ma >> 12 != victimMFN { return "now maps mfn \(hex(ma >> 12))" }
    let v = UnsafePointer<UInt64>(bitPattern: UInt(victimVA))!.pointee
    return v == canary ? nil : "reads \(hex(v))"
  }
}

func guestMain(_ boot: StartInfo) {
  if boot.option("mode") == "crash" {
    print("attacker: crashing on purpose (write to 0x8, no trap handler)")
    Console.flush()
    UnsafeMutablePointer<UInt64>(bitPattern: 8)!.pointee = 1
    print("attacker: still alive after the write: the hypervisor did not fault it")
    return
  }
  if boot.option("mode") == "unpin-l4" {
    // docs/decisions/notes-kernel-bugs.md #3: pin an empty L4 (the hypervisor installs its
    // slots in it), then unpin it.
    var pfn = boot.nrPages - 1
    while PageTable.machineAddress(of: UInt64(GUEST_VIRT_BASE) + pfn << 12, boot) != nil { pfn -= 1 }
    let mfn = boot.mfnList[Int(pfn)]
    print("attacker: pin L4 \(hex(mfn)): \(ext1(XEN_MMUEXT_PIN_L4_TABLE, mfn))")
    print("attacker: unpin \(hex(mfn)): \(ext1(XEN_MMUEXT_UNPIN_TABLE, mfn))")
    return
  }
  print("attacker: trying the attack catalogue from inside a guest")
  Target.boot = boot
  Target.domid = UInt16(boot.number("domid", default: 0))
  Target.peer = boot.option("peer").flatMap { UInt16(String($0)) }
  Target.partner = boot.option("partner").flatMap { UInt16(String($0)) }
  do throws(XenError) {
    _ = try SharedInfo.map(machineAddress: boot.sharedInfoMachineAddress)
    try Exceptions.install()
  } catch {
    print("attacker: setup failed (\(error.text))")
    Sched.shutdown(.crash)
  }
  findTargets(boot)

  memoryAttacks()
  pageTableAttacks()
  hypervisorRangeAttacks()
  argumentAttacks()
  eventAttacks()
  grantAttacks()
  controlAttacks()
  instructionAttacks()

  if let partner = Target.partner { waitForPartner(partner) }
  print("attacker: \(refused)/\(attempted) refused")
  if !breaches.isEmpty {
    print("attacker: breaches: \(breaches.joined(separator: ", "))")
    Sched.shutdown(.crash)
  }
}

/// Fills `Target`: own tables, the victim page, foreign and hypervisor frames.
func findTargets(_ boot: StartInfo) {
  let tables = PageTable.tableMFNs(for: UInt64(GUEST_VIRT_BASE), boot)
  guard tables.count == 4 else {
    print("attacker: cannot walk 0x400000")
    Sched.shutdown(.crash)
  }
  (Target.l4, Target.l3, Target.l2, Target.l1) = (tables[0], tables[1], tables[2], tables[3])
  let victim = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
  victim.storeBytes(of: Target.canary, as: UInt64.self)
  Target.victimVA = UInt64(UInt(bitPattern: victim))
  Target.victimMFN = (PageTable.machineAddress(of: Target.victimVA, boot) ?? 0) >> 12

  // Frames with a pfn in the M->P table that are not ours: another domain's (or free).
  var own = Set<UInt64>()
  for m in boot.mfnList { own.insert(m) }
  own.insert(boot.sharedInfoMachineAddress >> 12)
  var mfn: UInt64 = 0x100
  var seen = 0
  while mfn < 0x40000 && Target.foreign.count < 4 {
    var pfn: UInt64 = 0
    let r = guest_probe_load64(UInt64(PageTable.machineToPhysBase) + mfn * 8, &pfn)
    if r != 0 { break }   // past the end of the M->P table
    if pfn != 0 && pfn < 0x10_0000 && !own.contains(mfn) {
      seen += 1
      if seen % 7 == 1 { Target.foreign.append(mfn) }   // spread over several domains
    }
    mfn += 1
  }
  // Hypervisor frames: low memory, the kernel image at 1 MiB, the tables behind the
  // hypervisor's slots in our own L4 (readable to us), and a frame far beyond RAM.
  Target.hypervisor = [0, 1, 0x100]
  let l4 = UnsafePointer<UInt64>(bitPattern: UInt(boot.pageTableBase))!
  for slot in [255, 256, 262] where l4[slot] & 1 != 0 {
    Target.hypervisor.append((l4[slot] & PageTable.frameMask) >> 12)
  }
  Target.hypervisor.append(0xF_FFFF_F)
  print("attacker: own L4 \(hex(Target.l4)) L1 \(hex(Target.l1)); victim \(hex(Target.victimVA)) (mfn \(hex(Target.victimMFN)))")
  print("attacker: \(Target.foreign.count) foreign frames from the M->P table, \(Target.hypervisor.count) hypervisor frames")
}

/// Ends the grant trade: neither attacker may end while the other still maps its grants (a
/// granter must outlive the mappings). Each allocates port 1 for the other when it is done with
/// the other's grants, then binds to the other's port 1 (ESRCH: the other has already ended).
func waitForPartner(_ partner: UInt16) {
  _ = try? EventChannel.allocUnbound(remote: partner)
  for _ in 0..<2000 {
    do throws(XenError) {
      _ = try EventChannel.bindInterdomain(remote: partner, remotePort: 1)
      return
    } catch {
      if error == .noSuchDomain { return }
      Sched.yield()
    }
  }
  print("attacker: partner \(partner) never finished")
}
