import KernelArch

/// The hypervisor loop and vCPU switching on the single pCPU.
///
/// A vCPU runs until it traps. Hypercalls and bounced exceptions return straight to it; the
/// timer, yield, block and shutdown may pick another. Switching copies the trap frame between
/// the trap stack and the vCPUs' save areas and reloads CR3, so returning from the trap
/// handler resumes whichever vCPU is now current. With nothing runnable the handler leaves
/// to `run()` (arch_resume_host), which halts until a timer or event makes a vCPU runnable.
enum Run {
  /// Ticks a vCPU runs before an equal vCPU gets the CPU (30 ms at 10 ms ticks).
  static let sliceTicks = 3
  nonisolated(unsafe) static var nextIndex = 0

  /// Runs domains until every one has ended; returns whether all powered off cleanly.
  static func run() -> Bool {
    while true {
      if Machine.domains.allSatisfy({ !$0.isAlive }) { return finish() }
      Timers.fire()
      guard let v = pickNext(after: nil) else {
        Machine.current = nil
        arch_write_cr3(Machine.hypervisorRoot)
        arch_sti_hlt()   // a tick or an event makes something runnable
        arch_cli()
        continue
      }
      load(v)
      deliverEvents(v, frame: v.frame)
      if !v.runnable { continue }   // delivering an event can crash a domain
      _ = arch_enter_guest(v.frame)
      arch_cli()
    }
  }

  /// The next runnable vCPU in round-robin order after `after` (or from the cursor).
  static func pickNext(after: VCPU?) -> VCPU? {
    var all: [VCPU] = []
    for d in Machine.domains where d.isAlive { all += d.vcpus }
    guard !all.isEmpty else { return nil }
    var start = nextIndex % all.count
    if let a = after, let i = all.firstIndex(where: { $0 === a }) { start = (i + 1) % all.count }
    for k in 0..<all.count {
      let v = all[(start + k) % all.count]
      if v.runnable {
        nextIndex = (start + k + 1) % all.count
        return v
      }
    }
    return nil
  }

  /// Makes `v` current: its page tables, segment bases and TS bit.
  static func load(_ v: VCPU) {
    Machine.current = v
    v.sliceTicks = 0
    arch_write_cr3(v.root.address.raw)
    arch_write_fs_base(v.fsBase)
    arch_write_gs_base(v.gsBaseKernel)
    arch_write_kernel_gs_base(v.gsBaseUser)
    let cr0 = arch_read_cr0()
    arch_write_cr0(v.taskSwitched ? cr0 | 8 : cr0 & ~8)
  }

  /// Called on the way back to a guest from any trap: if the current vCPU should give up the
  /// CPU, saves it and either switches to another (rewriting `frame`) or leaves to `run()`.
  static func reschedule(_ frame: UnsafeMutablePointer<TrapFrame>, force: Bool) {
    guard let cur = Machine.current else { return }
    let stay = cur.runnable && !force
    if stay { return }
    cur.frame.pointee = frame.pointee
    Timers.fire()
    if let next = pickNext(after: cur), next !== cur || cur.runnable {
      if next !== cur { load(next) }
      frame.pointee = next.frame.pointee
      deliverEvents(next, frame: frame)
      if next.runnable { return }
    }
    Machine.current = nil
    arch_resume_host(0)
  }

  /// A timer tick arrived while a guest ran.
  static func tick(_ frame: UnsafeMutablePointer<TrapFrame>) {
    guard let cur = Machine.current, frame.pointee.cs & 3 == 3 else { return }
    Timers.fire()
    cur.sliceTicks += 1
    if cur.sliceTicks >= sliceTicks || !cur.runnable { reschedule(frame, force: true) }
    else { deliverEvents(cur, frame: frame) }
  }

  /// Ends the run: a line per domain, then the verdict.
  static func finish() -> Bool {
    var clean = true
    for d in Machine.domains {
      switch d.state {
      case .shutdown(let reason) where reason == XenOp.shutdownPoweroff: break
      default: clean = false
      }
    }
    return clean
  }
}
