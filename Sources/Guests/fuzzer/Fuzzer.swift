/// fuzzer: random hypercalls with random, seeded arguments, biased towards values that look
/// valid (its own MFNs, VAs, PTEs, small counts, real sub-op numbers), and checks the
/// hypervisor stays up. Prints progress every 10,000 calls and
/// `fuzzer: N hypercalls, hypervisor alive` at the end (plus a histogram of results).
///
/// Args: `seed=N` (default 1), `count=N` (default 100000), `every=N` (progress interval),
/// `trace=I` (print every call from index I on), `workaround=bug3` (see `World`).
///
/// Staying alive is by construction, not luck. Memory the fuzzer itself uses (code, stack,
/// heap, the argument buffer) is never the target of a write the hypervisor could accept:
/// - a hypercall's top-level pointer points into the argument buffer (or at something invalid);
/// - pointers, VAs and host addresses *inside* argument structures point at the "target"
///   pages, which the fuzzer never touches itself and which may be remapped at will;
/// - mmu_update writes only the target pages' L1 entries, unused L2/L3/L4 slots, frames it
///   never mapped, or frames that are not its own; new_baseptr only names its own L4 or
///   frames that are not its own; CLEAR/COPY_PAGE only name target or unmapped frames;
/// - it never calls shutdown, block, remote_shutdown, iret, VCPUOP_down/initialise or
///   register_*_area, and polls only with a short timeout.
import GuestArch

/// xorshift64*: deterministic per seed.
struct Random {
  var state: UInt64
  init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
  mutating func next() -> UInt64 {
    state ^= state >> 12
    state ^= state << 25
    state ^= state >> 27
    return state &* 0x2545_F491_4F6C_DD1D
  }
  /// Uniform in 0..<n (n > 0).
  mutating func below(_ n: UInt64) -> UInt64 { next() % n }
  mutating func pick<T>(_ xs: [T]) -> T { xs[Int(below(UInt64(xs.count)))] }
  mutating func chance(_ oneIn: UInt64) -> Bool { below(oneIn) == 0 }
}

/// What the fuzzer may aim at, found at start.
struct World {
  var argBase: UInt64 = 0, argSize: UInt64 = 8 * 4096
  var targetBase: UInt64 = 0, targetPages: UInt64 = 16
  /// Machine frames of the target pages, and of pfns never mapped (safe to write).
  var writableFrames: [UInt64] = []
  /// Every frame we own (safe to map, pin, reference; never to write).
  var ownFrames: [UInt64] = []
  /// Machine addresses of the target pages' L1 entries.
  var targetPTEs: [UInt64] = []
  var l4: UInt64 = 0, l3: UInt64 = 0, l2: UInt64 = 0
  /// `workaround=bug3`: never pin one of our own frames as an L4 (pin + unpin of an L4 panics
  /// the hypervisor: docs/decisions/notes-kernel-bugs.md #3).
  var avoidPinningL4 = false
  /// Frames that are certainly not ours: low memory, the hypervisor image, beyond RAM, and a
  /// few middling MFNs that are not in our P->M list (filled in at start).
  nonisolated(unsafe) static var notOurs: [UInt64] = [0, 1, 0x100, 0xF_FFFF, 0xFFFF_FFFF_FF]
  /// Addresses a guest cannot read or write. (Not the M->P table at 0xFFFF_8000_0000_0000: it
  /// is readable, so a structure "read" from it is valid input, e.g. a poll with no timeout.)
  static let hypervisorVAs: [UInt64] = [
    0xFFFF_8300_0000_0000, 0x0000_7F80_0000_0000, 0x0000_7F80_0010_0000,
    0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_F000,
  ]
}

nonisolated(unsafe) var rng = Random(seed: 1)
nonisolated(unsafe) var world = World()

// ---- value generators ----

/// A frame number: mostly ours.
func anyMFN() -> UInt64 {
  switch rng.below(10) {
  case 0...4: rng.pick(world.ownFrames)
  case 5, 6: rng.pick(world.writableFrames)
  case 7: rng.pick(World.notOurs)
  case 8: rng.below(0x10000)
  default: rng.next() >> rng.below(64)
  }
}
/// A frame that is safe to write (or not ours, so the write must be refused).
func writableMFN() -> UInt64 { rng.chance(4) ? rng.pick(World.notOurs) : rng.pick(world.writableFrames) }
/// A PTE or table entry value. Writable only for frames that are safe to write (or not ours):
/// a target VA may be remapped by it, and the hypervisor writes through target VAs.
func pte() -> UInt64 {
  let flags: UInt64 = rng.pick([0x67, 0x25, 0x27, 0x63, 0xE7, 0x1, 0x0, 0x7, 0x8000_0000_0000_0067, 1 << 52 | 0x67])
  switch rng.below(8) {
  case 0: return rng.next() & ~2                                         // random, never RW
  case 1, 2: return rng.pick(World.notOurs) << 12 | flags
  case 3, 4: return rng.pick(world.ownFrames) << 12 | flags & ~2      // any own frame, read-only
  default: return rng.pick(world.writableFrames) << 12 | flags
  }
}
/// A target VA (or an invalid one).
func targetVA() -> UInt64 {
  switch rng.below(8) {
  case 0: rng.pick(World.hypervisorVAs + [0xFFFF_8000_0000_0000])
  case 1: rng.next() & ~0xFFF
  default: world.targetBase + rng.below(world.targetPages) * 4096
  }
}
/// A pointer for a structure's contents: target pages, or invalid.
func innerPointer() -> UInt64 {
  switch rng.below(8) {
  case 0: 0
  case 1: rng.pick(World.hypervisorVAs)
  default: world.targetBase + rng.below(world.targetPages * 4096 - 64) & ~7
  }
}
/// A small count, sometimes huge.
func count() -> UInt64 { rng.chance(10) ? rng.next() >> rng.below(64) : rng.below(9) }
/// A word inside an argument structure.
func word() -> UInt64 {
  switch rng.below(8) {
  case 0: count()
  case 1: anyMFN()
  case 2: pte()
  case 3: innerPointer()
  case 4: UInt64(XEN_DOMID_SELF) | rng.below(4) << 16
  case 5: rng.below(5)                       // domain ids
  case 6: rng.below(4096)                    // ports, refs
  default: rng.next()
  }
}
/// The top-level pointer: a freshly filled structure in the argument buffer, or invalid.
func argument(words n: Int = 8) -> UInt64 {
  if rng.chance(12) { return rng.chance(2) ? 0 : rng.pick(World.hypervisorVAs) }
  let p = buffer()
  let words = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!
  for i in 0..<n { words[i] = word() }
  return p
}
/// A place in the argument buffer for a structure the caller fills itself.
func buffer() -> UInt64 { world.argBase + rng.below(world.argSize - 4096) & ~7 }
/// Whether `p` is in the argument buffer (and not one of the invalid pointers).
func inBuffer(_ p: UInt64) -> Bool { p >= world.argBase && p < world.argBase + world.argSize }
/// `p`, or now and then an invalid pointer instead.
func sometimesBad(_ p: UInt64) -> UInt64 { rng.chance(16) ? rng.pick([0] + World.hypervisorVAs) : p }

// ---- one call ----

/// One random hypercall: (number, arguments), never one that would legitimately end us.
func randomCall() -> (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) {
  let selfOrOther: UInt64 = rng.chance(6) ? rng.below(5) : UInt64(XEN_DOMID_SELF)
  switch rng.below(22) {
  case 0:   // mmu_update: a batch of safe requests in the argument buffer
    let n = rng.below(16) + 1
    let p = buffer()
    let list = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!
    for i in 0..<Int(n) {
      let ptr: UInt64
      switch rng.below(6) {
      case 0: ptr = world.l4 << 12 + (1 + rng.below(254)) * 8                 // unused L4 slots
      case 1: ptr = world.l3 << 12 + (1 + rng.below(511)) * 8                 // unused L3 slots
      case 2: ptr = world.l2 << 12 + (4 + rng.below(508)) * 8                 // unused L2 slots
      case 3: ptr = writableMFN() << 12 + rng.below(512) * 8
      case 4: ptr = rng.pick(world.targetPTEs) | (rng.chance(5) ? rng.below(8) : 0)
      default: ptr = rng.pick(world.targetPTEs)
      }
      list[2 * i] = ptr
      list[2 * i + 1] = pte()
    }
    return (1, sometimesBad(p), rng.chance(20) ? count() : n, rng.chance(2) ? p + 4096 : 0, selfOrOther, 0)
  case 1:   // update_va_mapping
    return (14, targetVA(), pte(), rng.below(4), 0, 0)
  case 2:   // mmuext_op
    let p = buffer()
    let ops = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!
    let n = rng.below(4) + 1
    for i in 0..<Int(n) {
      let cmd = rng.below(21)
      let arg1: UInt64
      switch cmd {
      case 5: arg1 = rng.chance(2) ? world.l4 : rng.pick(World.notOurs)              // new_baseptr
      case 3 where world.avoidPinningL4: arg1 = rng.pick(World.notOurs)
      case 7, 8: arg1 = targetVA()                                                 // invlpg
      case 15, 16, 17, 18: arg1 = writableMFN()                                    // clear/copy page, user baseptr
      default: arg1 = anyMFN()
      }
      ops[3 * i] = cmd
      ops[3 * i + 1] = arg1
      ops[3 * i + 2] = cmd == 18 ? writableMFN() : word()
    }
    return (26, sometimesBad(p), rng.chance(20) ? count() : n, 0, selfOrOther, 0)
  case 3:   // memory_op
    let cmd = rng.pick([0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 63] as [UInt64])
    let p = argument()
    let words = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))
    if let w = words, inBuffer(p), rng.chance(2) {
      w[0] = innerPointer()              // extent_start
      w[1] = count()                     // nr_extents
      w[2] = rng.chance(4) ? rng.below(20) : 0
      w[3] = rng.chance(3) ? selfOrOther : UInt64(XEN_DOMID_SELF)
    }
    return (12, cmd, p, 0, 0, 0)
  case 4:   // multicall of harmless calls
    let n = rng.below(6) + 1
    let p = buffer()
    let entries = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!
    for i in 0..<Int(n) {
      entries[8 * i] = rng.pick([17, 14, 32, 12, 15, 13, 23, 29, 99] as [UInt64])
      for k in 1..<8 { entries[8 * i + k] = word() }
      if entries[8 * i] == 29 { entries[8 * i + 2] = 0 }                 // sched_op: yield only
      if entries[8 * i] == 14 { entries[8 * i + 2] = targetVA() }
      if entries[8 * i] == 12 || entries[8 * i] == 32 || entries[8 * i] == 20 { entries[8 * i + 3] = innerPointer() }
      if entries[8 * i] == 17 { entries[8 * i + 3] = innerPointer() }
    }
    return (13, sometimesBad(p), rng.chance(20) ? count() : n, 0, 0, 0)
  case 5:   // event_channel_op
    return (32, rng.below(14), argument(), 0, 0, 0)
  case 6:   // grant_table_op
    let cmd = rng.below(12)
    let p = argument()
    if inBuffer(p), let w = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p)) {
      switch cmd {
      case 0: w[0] = targetVA(); w[1] = rng.below(8) | rng.below(16) << 32; w[2] = rng.below(5)   // map
      case 1, 7:   // unmap: every entry's host_addr a target VA (kernel bug 4 clears it regardless)
        for k in 0..<8 { w[3 * k] = targetVA(); w[3 * k + 2] = rng.below(8) }
      case 2: w[2] = innerPointer()                                                              // setup: frame_list
      default: break
      }
    }
    return (20, cmd, p, rng.chance(10) ? count() : 1, 0, 0)
  case 7:   // sched_op: yield, or a poll that times out soon
    if rng.chance(3) {
      let p = buffer()
      let w = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!
      w[0] = innerPointer()                                   // the port list (never our own memory)
      w[1] = rng.below(4)
      w[2] = rng.chance(4) ? 1 : SharedInfoClock.now() + 100_000
      return (29, 3, sometimesBad(p), 0, 0, 0)
    }
    return (29, 0, 0, 0, 0, 0)
  case 8:   // set_timer_op
    return (15, rng.chance(2) ? SharedInfoClock.now() + rng.below(10_000_000) : rng.next(), 0, 0, 0, 0)
  case 9:   // vcpu_op, never down/initialise/register areas
    return (24, rng.pick([3, 4, 6, 7, 8, 9, 99] as [UInt64]), rng.below(3), argument(), 0, 0)
  case 10:  // xen_version
    return (17, rng.below(12), argument(), 0, 0, 0)
  case 11:  // console_io: reads, empty writes, unknown commands
    return (18, rng.pick([0, 1, 7] as [UInt64]), 0, argument(), 0, 0)
  case 12:  // set_trap_table: our own stubs or hypervisor addresses
    let p = buffer()
    let w = UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!
    for i in 0..<3 {
      let v = UInt32(rng.below(20))
      w[2 * i] = UInt64(v) | 0xE033 << 16
      w[2 * i + 1] = rng.chance(3) ? rng.pick(World.hypervisorVAs) : guest_trap_entry(v)
    }
    w[6] = 0
    w[7] = 0
    return (0, sometimesBad(p), 0, 0, 0, 0)
  case 13:  // set_callbacks: ours (the trap stubs), zero, or the hypervisor's
    let a = { rng.chance(2) ? rng.pick(World.hypervisorVAs) : (rng.chance(2) ? 0 : guest_trap_entry(13)) }
    return (4, a(), a(), a(), 0, 0)
  case 14:  // stack_switch, fpu_taskswitch, set_segment_base (fs, gs user, gs kernel)
    switch rng.below(3) {
    case 0: return (3, word(), word(), 0, 0, 0)
    case 1: return (5, rng.below(2), 0, 0, 0, 0)
    default: return (25, rng.below(3), rng.chance(2) ? word() : rng.next(), 0, 0, 0)
    }
  case 15:  // vm_assist, physdev_op, callback_op, domctl, sysctl
    return (rng.pick([21, 33, 30, 35, 36] as [UInt64]), rng.below(32), argument(), 0, 0, 0)
  case 16:  // update_va_mapping_otherdomain, mmuext/mmu_update for another domain
    return (22, targetVA(), pte(), 2, rng.below(5), 0)
  case 17:  // numbers nobody implements
    return (rng.pick([2, 6, 7, 8, 9, 10, 11, 16, 19, 27, 28, 31, 34, 37, 38, 39, 40, 41, 48, 49, 55, 63, 64, 127] as [UInt64]),
            word(), word(), word(), word(), word())
  default:  // a valid-looking call of the commonest kinds with fully random arguments (not the
    // batched MMU calls: a random list read back from a remapped target page could name
    // new_baseptr of an empty L4)
    let nr = rng.pick([14, 12, 32] as [UInt64])
    return nr == 14 ? (14, targetVA(), word(), word(), word(), 0) : (nr, word(), innerPointer(), word(), 0, 0)
  }
}

/// System time, once shared_info is mapped.
enum SharedInfoClock {
  nonisolated(unsafe) static var shared: SharedInfo? = nil
  static func now() -> UInt64 { shared?.systemTimeNs() ?? 0 }
}

// ---- the run ----

func guestMain(_ boot: StartInfo) {
  let seed = boot.number("seed", default: 1)
  let total = boot.number("count", default: 100_000)
  let every = boot.number("every", default: 10_000)
  let traceFrom = boot.number("trace", default: UInt64.max)   // print each call from this index on
  rng = Random(seed: seed)
  print("fuzzer: seed \(seed), \(total) hypercalls")
  do throws(XenError) {
    SharedInfoClock.shared = try SharedInfo.map(machineAddress: boot.sharedInfoMachineAddress)
    try Exceptions.install()
  } catch {
    print("fuzzer: setup failed (\(error.text))")
    Sched.shutdown(.crash)
  }
  world.avoidPinningL4 = boot.option("workaround") == "bug3"
  setUpWorld(boot)

  // Results: index 0 = success (>= 0), 1... = errno; anything odder counted apart.
  var histogram = [Int](repeating: 0, count: 64)
  var odd = 0
  for i in 1...total {
    let (nr, a1, a2, a3, a4, a5) = randomCall()
    if i >= traceFrom {
      print("fuzzer: call \(i): \(nr) \(hex(a1)) \(hex(a2)) \(hex(a3)) \(hex(a4)) \(hex(a5))")
      if inBuffer(a1) {
        let w = UnsafeMutablePointer<UInt64>(bitPattern: UInt(a1))!
        print("fuzzer:   *a1 = \(hex(w[0])) \(hex(w[1])) \(hex(w[2])) \(hex(w[3]))")
      }
    }
    let r = guest_hypercall(UInt32(nr), a1, a2, a3, a4, a5)
    if nr == 0 && inBuffer(a1) {
      // Our own code addresses must not linger in the buffer (a later structure read from an
      // alias of it could use one as a host address).
      let w = UnsafeMutablePointer<UInt64>(bitPattern: UInt(a1))!
      for k in 0..<8 { w[k] = 0 }
    }
    if r >= 0 { histogram[0] += 1 } else if -r < 64 { histogram[Int(-r)] += 1 } else { odd += 1 }
    if i % every == 0 { print("fuzzer: \(i) hypercalls, \(histogram[0]) succeeded") }
  }
  // Still here, and the hypervisor still answers.
  let v = XenVersion.number()
  var summary = "fuzzer: results: ok=\(histogram[0])"
  for (e, n) in histogram.enumerated() where e > 0 && n > 0 { summary += " errno\(e)=\(n)" }
  if odd > 0 { summary += " other=\(odd)" }
  print(summary)
  print("fuzzer: \(total) hypercalls, hypervisor alive (xen_version \(v.major).\(v.minor))")
}

/// Allocates the argument buffer and the target pages and finds the frames and entries the
/// generators may name.
func setUpWorld(_ boot: StartInfo) {
  let args = UnsafeMutableRawPointer.allocate(byteCount: Int(world.argSize), alignment: 4096)
  let targets = UnsafeMutableRawPointer.allocate(byteCount: Int(world.targetPages) * 4096, alignment: 4096)
  for i in 0..<Int(world.argSize) { args.storeBytes(of: 0, toByteOffset: i, as: UInt8.self) }
  for i in 0..<Int(world.targetPages) * 4096 { targets.storeBytes(of: 0, toByteOffset: i, as: UInt8.self) }
  world.argBase = UInt64(UInt(bitPattern: args))
  world.targetBase = UInt64(UInt(bitPattern: targets))
  for m in boot.mfnList { world.ownFrames.append(m) }
  let own = Set(world.ownFrames)
  for m: UInt64 in [0x1000, 0x2000, 0x3000, 0x4000, 0x6000, 0x8000, 0xC000] where !own.contains(m) {
    World.notOurs.append(m)
  }
  for i in 0..<world.targetPages {
    let va = world.targetBase + i * 4096
    if let ma = PageTable.machineAddress(of: va, boot) { world.writableFrames.append(ma >> 12) }
    if let e = PageTable.entryMachineAddress(of: va, level: 1, boot) { world.targetPTEs.append(e) }
  }
  // Frames we own but never mapped (past the initial mapping): safe to scribble on.
  var pfn = boot.nrPages - 1
  while pfn > 0 && world.writableFrames.count < 48 {
    if PageTable.machineAddress(of: UInt64(GUEST_VIRT_BASE) + pfn << 12, boot) == nil {
      world.writableFrames.append(boot.mfnList[Int(pfn)])
    }
    pfn -= 1
  }
  let tables = PageTable.tableMFNs(for: UInt64(GUEST_VIRT_BASE), boot)
  (world.l4, world.l3, world.l2) = (tables[0], tables[1], tables[2])
  print("fuzzer: \(world.ownFrames.count) own frames, \(world.writableFrames.count) writable, \(world.targetPTEs.count) target PTEs")
}
