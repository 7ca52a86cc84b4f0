import KernelArch

/// Exceptions raised by a guest (ring 3): bounced to the guest's own handler from
/// set_trap_table, as Xen does; a guest without a handler is crashed, never the hypervisor.
enum GuestFaults {
  static func handle(_ frame: UnsafeMutablePointer<TrapFrame>) {
    guard let v = Machine.current else {
      ExceptionDump.fatal(frame)
    }
    let vector = Int(frame.pointee.vector)
    if vector == 14 { v.setCR2(arch_read_cr2()) }
    // Xen: a #NM clears the guest's virtual TS before the guest sees it.
    if vector == 7 { v.taskSwitched = false }
    let handler = v.trapAddress[vector]
    guard handler != 0 else {
      crash(v.domain, frame: frame)
      Run.reschedule(frame)
      return
    }
    let hasError = [8, 10, 11, 12, 13, 14, 17].contains(vector)
    // Trap-table flag bit 2: an "interrupt gate" (mask events on entry).
    let mask = v.trapFlags[vector] & 4 != 0
    if !Bounce.toGuest(v, frame, handler: handler, errorCode: hasError ? frame.pointee.error_code : nil, maskEvents: mask) {
      crash(v.domain, "exception bounce: guest stack not writable")
      Run.reschedule(frame)
    }
  }

  /// Ends a domain that faulted without a handler, with one line saying where.
  static func crash(_ d: Domain, frame: UnsafeMutablePointer<TrapFrame>) {
    let f = frame.pointee
    Console.write("[warn] domain ")
    Console.write(bytes: d.name)
    Console.write(": unhandled ")
    Console.write(ExceptionDump.mnemonic(f.vector))
    Console.write(" at RIP=")
    Console.writeHex(f.rip)
    Console.write(" error=")
    Console.writeHex(f.error_code)
    if f.vector == 14 {
      Console.write(" CR2=")
      Console.writeHex(arch_read_cr2())
    }
    Console.write("; domain crashed\n")
    end(d, .crashed)
  }

  static func crash(_ d: Domain, _ why: StaticString) {
    Console.write("[warn] domain ")
    Console.write(bytes: d.name)
    Console.write(": ")
    Console.write(why)
    Console.write("; domain crashed\n")
    end(d, .crashed)
  }

  /// Takes a domain off the CPU for good and gives its memory back (domUs; dom0's memory
  /// stays with the hypervisor's dom0 record).
  static func end(_ d: Domain, _ state: Domain.State) {
    guard d.isAlive else { return }
    if !d.consoleLine.isEmpty { d.flushConsole() }
    d.state = state
    for v in d.vcpus { v.blocked = true }
    Events.channels.unregister(d.id)
    let hypervisor = VCPUID(.dom0, 0)
    if d.id == .dom0 {
      // dom0 cannot be destroyed (it is the control domain): it blocks for good.
      for v in d.vcpus { try? Machine.sched.block(caller: v.id, eventPending: false) }
    } else {
      try? Machine.sched.domainDestroy(caller: hypervisor, target: d.id)
    }
    if d.id != .dom0 {
      arch_write_cr3(Machine.hypervisorRoot)   // its page tables are about to be scrubbed
      Machine.mm!.hypervisorPutPage(d.sharedInfoFrame, for: d.id)
      for f in d.grantFrames { Machine.mm!.hypervisorPutPage(f, for: d.id) }
      do throws(HypercallError) {
        try Machine.mm!.domainDestroy(caller: VCPUID(.dom0, 0), target: d.id)
      } catch {
        Log.warn("domain: destroy refused (\(error.rawValue)); its memory stays reserved")
      }
    }
  }
}
