import KernelArch

/// The hypervisor loop and vCPU switching on the single pCPU.
///
/// The credit scheduler in Core decides (`Machine.sched.current(pcpu: 0)`); this file only
/// carries the decision out. A vCPU runs until it traps. Hypercalls and bounced exceptions
/// return straight to it; after the timer, yield, block, wake and shutdown the kernel asks the
/// scheduler and, if the answer changed, copies the trap frame between the trap stack and the
/// vCPUs' save areas and reloads CR3, so returning from the trap handler resumes whichever
/// vCPU is now current. With nothing to run the handler leaves to `run()`
/// (arch_resume_host), which halts until a tick or an event.
enum Run {
  static let pcpu = 0

  /// Runs domains until every one has ended; returns whether all powered off cleanly.
  static func run() -> Bool {
    while true {
      if Machine.domains.allSatisfy({ !$0.isAlive }) { return finish() }
      Timers.fire()
      guard let v = chosen() else {
        Machine.current = nil
        arch_write_cr3(Machine.hypervisorRoot)
        arch_sti_hlt()   // a tick or an event makes something runnable
        arch_cli()
        continue
      }
      load(v)
      deliverEvents(v, frame: v.frame)
      if chosen() !== v { continue }   // delivering an event can end a domain
      applyTaskSwitched(v.frame)
      _ = arch_enter_guest(v.frame)
      arch_cli()
    }
  }

  /// The vCPU the scheduler wants on this pCPU, if the kernel can run it.
  static func chosen() -> VCPU? {
    guard let id = Machine.sched.current(pcpu: pcpu), let v = Machine.vcpu(id), v.domain.isAlive else { return nil }
    return v
  }

  /// Makes `v` current: its page tables, segment bases and TS bit.
  static func load(_ v: VCPU) {
    Machine.current = v
    arch_write_cr3(v.root.address.raw)
    arch_write_fs_base(v.fsBase)
    arch_write_gs_base(v.gsBaseKernel)
    arch_write_kernel_gs_base(v.gsBaseUser)
  }

  /// Sets CR0.TS for the guest about to run if it asked for it (fpu_taskswitch), so its next
  /// FPU instruction raises #NM; called last on every way back to ring 3.
  static func applyTaskSwitched(_ frame: UnsafeMutablePointer<TrapFrame>) {
    guard frame.pointee.cs & 3 == 3, let v = Machine.current, v.taskSwitched else { return }
    arch_write_cr0(arch_read_cr0() | 8)
  }

  /// On the way back to a guest from any trap: if the scheduler now wants another vCPU, saves
  /// the current one and switches (rewriting `frame`), or leaves to `run()` to idle.
  static func reschedule(_ frame: UnsafeMutablePointer<TrapFrame>) {
    guard let cur = Machine.current else { return }
    let next = chosen()
    if next === cur {
      deliverEvents(cur, frame: frame)
      return
    }
    cur.frame.pointee = frame.pointee
    if let n = next {
      load(n)
      frame.pointee = n.frame.pointee
      deliverEvents(n, frame: frame)
      if chosen() === n { return }
    }
    Machine.current = nil
    arch_resume_host(0)
  }

  /// A timer tick: the scheduler's tick (credit debit, slice, accounting), the PV timers, and
  /// a switch if the decision changed. In the idle loop (ring 0) only the bookkeeping runs.
  static func tick(_ frame: UnsafeMutablePointer<TrapFrame>) {
    Machine.sched.tick()
    Timers.fire()
    if frame.pointee.cs & 3 == 3 { reschedule(frame) }
  }

  /// Ends the run: the verdict is whether every domain powered off.
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
