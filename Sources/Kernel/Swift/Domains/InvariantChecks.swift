/// Debug mode (`check-invariants=N` on the command line): every N hypercalls the kernel
/// re-checks the core's invariants on its own state — memory (frameOwnership,
/// referenceCounts, typeSafety, isolation, grantConsistency), scheduler (onePerPCPU,
/// onlyRunnableRun, creditBounds, capRespected, boundedWait) and event channels — and stops
/// the machine on the first violation, naming it. A full check walks the frame table, so it is
/// not run on every hypercall by default.
enum InvariantChecks {
  nonisolated(unsafe) static var every: UInt64 = 0
  nonisolated(unsafe) static var hypercalls: UInt64 = 0
  nonisolated(unsafe) static var checks: UInt64 = 0

  static func afterHypercall() {
    guard every > 0 else { return }
    hypercalls &+= 1
    if hypercalls % every == 0 { checkNow() }
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
