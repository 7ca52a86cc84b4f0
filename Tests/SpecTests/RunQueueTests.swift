import BulkheadSpec
import Testing

/// Per-pCPU run queues: homes, ties broken at home, stealing only for a higher priority.
@Suite struct RunQueueTests {
  let d0 = VCPUID(.dom0, 0)

  /// Two pCPUs, dom0 blocked, domains 1...n with one vCPU each, unpaused in order.
  func machine(domains n: Int) -> SpecState {
    var config = SpecConfig()
    config.pcpus = 2
    var s = SpecState(config: config)
    s = must(s.block(caller: d0), "block dom0").1
    for i in 1...n {
      s = must(s.domainCreate(caller: d0, domain: DomID(UInt16(i)), maxPages: 0, vcpus: 1), "create").1
    }
    for i in 1...n { s = must(s.domainUnpause(caller: d0, target: DomID(UInt16(i))), "unpause").1 }
    return s
  }

  func v(_ d: Int) -> VCPUID { VCPUID(DomID(UInt16(d)), 0) }

  @Test func newVCPUsAreSpreadOverThePCPUs() {
    let s = machine(domains: 4)
    // homePCPU = (domain + index) % pcpus: domains 1 and 3 start at pCPU 1, 2 and 4 at pCPU 0.
    #expect(Set(s.running.compactMap { $0 }) == [v(1), v(2)])
    #expect(s.runQueues[1] == [v(3)] && s.runQueues[0] == [v(4)])
    #expect(checkAllInvariants(s) == [])
  }

  @Test func aTieIsBrokenAtHome() {
    let s = machine(domains: 4)
    // Equal priorities everywhere: pCPU 1 takes its own queued vCPU, not pCPU 0's.
    #expect(s.candidate(for: 1) == v(3))
    #expect(s.candidate(for: 0) == v(4))
  }

  @Test func anIdlePCPUStealsRatherThanIdles() {
    var s = machine(domains: 3)
    // Homes d1 -> 1, d2 -> 0, d3 -> 1. Unpausing d1 then d2 left both pCPUs idle, so each was
    // taken by the idle pCPU: d1 runs on 0, d2 on 1, d3 waits at home on pCPU 1.
    #expect(s.running == [v(1), v(2)] && s.runQueues == [[], [v(3)]])
    // d1 blocks: pCPU 0 has nothing at home and steals d3, which now lives on pCPU 0.
    s = must(s.block(caller: v(1)), "block").1
    #expect(s.running == [v(3), v(2)])
    #expect(s.vcpus[v(3)]!.processor == 0)
    #expect(s.runQueues == [[], []])
    #expect(checkAllInvariants(s) == [])
  }

  @Test func aHigherPriorityVCPUIsStolenAndMovesHome() {
    var s = machine(domains: 4)
    #expect(s.running == [v(1), v(2)] && s.runQueues == [[v(4)], [v(3)]])
    // d3 (home pCPU 1) blocks and wakes BOOSTed. Both runners are UNDER, so the victim is the
    // lowest index, pCPU 0, whose candidate is d3 in its peer's queue: stolen, and its home
    // becomes pCPU 0; the preempted d1 goes to the tail of pCPU 0's queue.
    s = must(s.block(caller: v(3)), "block").1
    s = must(s.wake(v(3)), "wake").1
    #expect(s.running == [v(3), v(2)])
    #expect(s.vcpus[v(3)]!.priority == .boost && s.vcpus[v(3)]!.processor == 0)
    #expect(s.runQueues == [[v(4), v(1)], []])
    #expect(checkAllInvariants(s) == [])
  }
}
