/// Debug mode (`check-invariants=N` on the command line): every N hypercalls the kernel
/// re-checks the core's invariants on its own state — memory (frameOwnership,
/// referenceCounts, typeSafety, isolation, grantConsistency), scheduler (onePerPCPU,
/// onlyRunnableRun, creditBounds, capRespected, boundedWait) and event channels — and stops
/// the machine on the first violation, naming it. A full check walks the frame table, so it is
/// not run on every hypercall by default.
enum InvariantChecks {
  nonisolated(unsafe) static var every: UInt64 = 0
  /// `check-from=K`: no checks before the K-th hypercall (to narrow a failure down cheaply).
  nonisolated(unsafe) static var from: UInt64 = 0
  nonisolated(unsafe) static var hypercalls: UInt64 = 0
  nonisolated(unsafe) static var checks: UInt64 = 0

  /// The last hypercalls (domain, number, arguments, result), printed when a check fails so
  /// the violation can be traced to the call that caused it.
  struct Recent { var domain: UInt16; var nr: UInt64; var a1, a2, a3, a4: UInt64; var result: Int64 }
  nonisolated(unsafe) static var recent: [Recent] = []
  nonisolated(unsafe) static var recentNext = 0
  static let recentCapacity = 512

  static func record(_ v: VCPU, _ nr: UInt64, _ a: HypercallArgs, _ result: Int64) {
    guard every > 0 else { return }
    let r = Recent(domain: v.domain.id.raw, nr: nr, a1: a.a1, a2: a.a2, a3: a.a3, a4: a.a4, result: result)
    if recent.count < recentCapacity { recent.append(r) } else { recent[recentNext] = r }
    recentNext = (recentNext + 1) % recentCapacity
  }

  static func dumpRecent() {
    Console.write("[fatal] last hypercalls, oldest first (dom nr a1 a2 a3 a4 -> result):\n")
    for k in 0..<recent.count {
      let r = recent[(recentNext + k) % recent.count]
      print("[fatal]   d\(r.domain) \(r.nr) \(hex(r.a1)) \(hex(r.a2)) \(hex(r.a3)) \(hex(r.a4)) -> \(r.result)")
    }
  }

  static func afterHypercall() {
    guard every > 0 else { return }
    hypercalls &+= 1
    if hypercalls >= from && hypercalls % every == 0 { checkNow() }
  }

  static func checkNow() {
    checks += 1
    let mm = Machine.mm!.checkInvariants()
    if let v = mm.first {
      Console.write("[fatal] invariant ")
      Console.write(v.invariant)
      Console.write(" violated: ")
      Console.write(v.what)
      Console.write(" (")
      Console.writeHex(v.subject)
      Console.write(")\n")
      if Machine.mm!.exists(v.subject) {
        let r = Machine.mm!.frames[record: Int(v.subject)]
        print("[fatal]   frame record: owner \(r.owner) kind \(r.ownerKind.rawValue) type \(r.type) typeCount \(r.typeCount) refCount \(r.refCount) pinned \(r.pinned)")
      }
      dumpRecent()
      // Who points at the frame: every domain-owned frame holding an entry to it.
      let mm = Machine.mm!
      for i in 0..<mm.config.frameCount {
        let r = mm.frames[record: i]
        guard r.ownerKind == .domain else { continue }
        let t = KernelMemory.unsafeTable(MFN(UInt64(i)))
        for j in 0..<512 where t[j] & 1 != 0 && (t[j] & 0x000F_FFFF_FFFF_F000) >> 12 == v.subject {
          print("[fatal]   frame \(hex(UInt64(i))) (owner \(r.owner) type \(r.type) count \(r.typeCount) pinned \(r.pinned)) entry \(j) = \(hex(t[j]))")
        }
      }
      panic("core memory invariant violated")
    }
    let sched = Machine.sched.checkInvariants()
    if let v = sched.first {
      Console.write("[fatal] invariant ")
      Console.write(v.invariant)
      Console.write(" violated: ")
      Console.write(v.what)
      Console.newline()
      panic("core scheduler invariant violated")
    }
    if !Events.channels.checkConsistency() { panic("invariant eventChannelConsistency violated") }
  }
}
