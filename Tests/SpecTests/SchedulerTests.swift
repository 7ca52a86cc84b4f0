import BulkheadSpec
import PropertyBased
import Testing

/// Credit scheduler: priorities, caps, waiting, and a throughput print.
@Suite struct SchedulerTests {
  @Test func boostPreemptsAndLastsOneTick() {
    let sc = Scenario.standard()
    var s = sc.state
    // dom0 runs first (it booted first); dom1 blocks and is woken.
    s = must(s.block(caller: sc.dom1.vcpu), "block").1
    s = must(s.wake(sc.dom1.vcpu), "wake").1
    #expect(s.vcpus[sc.dom1.vcpu]!.priority == .boost)
    #expect(s.running[0] == sc.dom1.vcpu)
    s = s.tick().state
    #expect(s.vcpus[sc.dom1.vcpu]!.priority != .boost)
    #expect(checkAllInvariants(s) == [])
  }

  @Test func yieldLetsAnEqualPriorityVCPURun() {
    let sc = Scenario.standard()
    let first = sc.state.running[0]!
    let s = must(sc.state.yield(caller: first), "yield").1
    #expect(s.running[0] != first)
    #expect(s.runQueues[0].last == first)
  }

  /// Over k accounting periods a vCPU with cap c runs at most (k + 1) * c * T / 100 + 1 ticks,
  /// even alone on the machine.
  @Test func capIsNeverExceeded() async {
    await propertyCheck(count: 12, input: Gen.int(in: 1...99), Gen.int(in: 1...3)) { cap, n in
      let weights = Array(repeating: 256, count: n)
      let caps = [cap] + Array(repeating: 0, count: n - 1)
      let ticks = 600
      let r = simulateFairness(weights: weights, caps: caps, ticks: ticks)
      let periods = ticks / 3
      #expect(r.ticksRun[0] <= (periods + 1) * cap * 3 / 100 + 1, "\(r)")
      #expect(r.maxError <= fairnessEpsilon, "\(r)")
    }
  }

  @Test func waitsAreBounded() {
    // Equal weights, n vCPUs on one pCPU: nobody waits longer than (n - 1) slices plus one
    // accounting period.
    for n in 2...5 {
      let r = simulateFairness(weights: Array(repeating: 256, count: n), ticks: 1500, checkEvery: 25)
      #expect(r.violations == [])
      #expect(r.maxWait.max()! <= (n - 1) * 3 + 3, "\(r.maxWait)")
    }
  }

  @Test func refusals() {
    let sc = Scenario.standard()
    #expect(sc.state.setCap(caller: sc.dom0, target: sc.dom1.domain, cap: 101).result.failure == .EINVAL)
    #expect(sc.state.setWeight(caller: sc.dom0, target: sc.dom1.domain, weight: 0).result.failure == .EINVAL)
    #expect(sc.state.setWeight(caller: sc.dom0, target: DomID(9), weight: 5).result.failure == .ESRCH)
    #expect(sc.state.wake(VCPUID(DomID(9), 0)).result.failure == .ESRCH)
  }

  /// Prints (does not assert) how many Spec transitions per second this machine runs.
  @Test func throughput() {
    var gen = OpGenerator(seed: 42)
    var s = Scenario.standard().state
    let clock = ContinuousClock()
    let n = 3000
    let elapsed = clock.measure {
      for _ in 0..<n { s = gen.next(s).apply(s).state }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    print("Spec throughput: \(Int(Double(n) / seconds)) ops/s (\(n) generated ops, invariants not checked)")
    #expect(s.domains[.dom0] != nil)
  }
}
