/// Self-checks for the credit scheduler: small scenarios whose outcome the Spec fixes (who
/// runs after each step), with every scheduler invariant checked along the way.
extension SelfCheck {
  /// A one-pCPU scheduler with dom0 blocked and `n` unpaused single-vCPU domains 1...n, or nil.
  static func schedMachine(_ n: Int, pcpus: Int = 1) -> Scheduler? {
    var c = SchedulerConfig()
    c.pcpus = pcpus
    var s = Scheduler(config: c)
    let d0 = VCPUID(.dom0, 0)
    do throws(HypercallError) {
      try s.block(caller: d0)
      for i in 1...n { try s.domainCreate(caller: d0, domain: DomID(UInt16(i)), vcpus: 1) }
      for i in 1...n { try s.domainUnpause(caller: d0, target: DomID(UInt16(i))) }
    } catch { return nil }
    return s
  }

  /// vCPU 0 of domain `d`.
  static func v0(_ d: UInt16) -> VCPUID { VCPUID(DomID(d), 0) }

  static var schedCases: [Case] {
    [
      // Each pays 100 credits per tick from a zero balance, so it turns OVER after one tick
      // and the next UNDER vCPU preempts it; accounting (every 3 ticks) refills everyone.
      // The order is the Spec's (SpecState.tick on the same machine).
      Case("sched: three equal vCPUs rotate in the Spec's order") {
        guard var s = schedMachine(3) else { return false }
        var order: [UInt16] = []
        for _ in 0..<12 {
          order.append(s.current(pcpu: 0)?.domain.raw ?? 99)
          s.tick()
          if !s.checkInvariants().isEmpty { return false }
        }
        return order == [1, 2, 3, 3, 1, 2, 2, 3, 1, 1, 2, 3]
      },
      Case("sched: a woken vCPU is boosted and preempts at once, for one tick") {
        guard var s = schedMachine(2) else { return false }
        do throws(HypercallError) {
          try s.block(caller: v0(2))
          s.tick()
          try s.wake(v0(2))
        } catch { return false }
        guard s.current(pcpu: 0) == v0(2), s.vcpu(v0(2))?.priority == .boost else { return false }
        s.tick()
        return s.vcpu(v0(2))?.priority != .boost && s.checkInvariants().isEmpty
      },
      Case("sched: yield hands the pCPU to the next equal vCPU") {
        guard var s = schedMachine(2) else { return false }
        do throws(HypercallError) { try s.yield(caller: v0(1)) } catch { return false }
        return s.current(pcpu: 0) == v0(2) && s.isQueued(v0(1)) && s.checkInvariants().isEmpty
      },
      Case("sched: a capped vCPU is parked when its budget runs out") {
        guard var s = schedMachine(1) else { return false }
        do throws(HypercallError) { try s.setCap(caller: VCPUID(.dom0, 0), target: DomID(1), cap: 50) } catch {
          return false
        }
        // Budget 150 percent-ticks per 3-tick period: runs 2 ticks, then parked, pCPU idle.
        s.tick()
        s.tick()
        return s.vcpu(v0(1))?.parked == true && s.current(pcpu: 0) == nil && s.checkInvariants().isEmpty
      },
      Case("sched: refusals carry the Spec's errnos and change nothing") {
        guard var s = schedMachine(1) else { return false }
        let d0 = VCPUID(.dom0, 0)
        var errs: [HypercallError] = []
        do throws(HypercallError) { try s.setCap(caller: d0, target: DomID(1), cap: 101) } catch { errs.append(error) }
        do throws(HypercallError) { try s.setWeight(caller: d0, target: DomID(1), weight: 0) } catch { errs.append(error) }
        do throws(HypercallError) { try s.setWeight(caller: d0, target: DomID(9), weight: 5) } catch { errs.append(error) }
        do throws(HypercallError) { try s.setWeight(caller: v0(1), target: DomID(1), weight: 5) } catch { errs.append(error) }
        do throws(HypercallError) { try s.wake(v0(9)) } catch { errs.append(error) }
        do throws(HypercallError) { try s.domainCreate(caller: d0, domain: DomID(1), vcpus: 1) } catch { errs.append(error) }
        return errs == [.EINVAL, .EINVAL, .ESRCH, .EPERM, .ESRCH, .EEXIST] && s.vcpu(v0(1))?.weight == 256
      },
      Case("sched: heavier weight earns a proportionally larger share") {
        guard var s = schedMachine(2) else { return false }
        do throws(HypercallError) { try s.setWeight(caller: VCPUID(.dom0, 0), target: DomID(1), weight: 768) } catch {
          return false
        }
        var ran = 0
        for _ in 0..<600 {
          if s.current(pcpu: 0) == v0(1) { ran += 1 }
          s.tick()
        }
        return ran >= 426 && ran <= 474 && s.checkInvariants().isEmpty  // 3/4 of 600, +-4 %
      },
    ]
  }
}
