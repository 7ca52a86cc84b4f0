// `bulkhead bench sched`: the credit scheduler's decision cost against the number of vCPUs,
// its fairness error and its wake-to-run latency, measured on the core (`BulkheadCore`
// `Scheduler`) exactly as the kernel runs it. Build with `-c release` for meaningful numbers.
import ArgumentParser
import BulkheadCore
import func BulkheadSpec.targetShares
import let BulkheadSpec.fairnessEpsilon
import Foundation

struct BenchSchedCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sched",
    abstract: "Measure the credit scheduler: decision cost vs vCPU count, fairness, wake latency.")

  @Option(help: "Comma-separated vCPU counts.")
  var vcpus: String = "10,100,1000,10000"

  @Option(help: "Comma-separated pCPU counts for the decision-cost table.")
  var pcpus: String = "1,4"

  @Option(help: "Timed repetitions per measurement (the median is reported).")
  var runs: Int = 7

  @Option(help: "Operations per timed repetition.")
  var ops: Int = 200_000

  func run() throws {
    func ints(_ s: String) -> [Int] { s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    let counts = ints(vcpus)
    #if DEBUG
      print("warning: debug build; use `swift build -c release` for meaningful numbers")
    #endif
    print("scheduler decision cost (ns per operation, median of \(runs) runs of \(ops) ops, all vCPUs runnable)")
    print("  pCPUs | vCPUs | pick (best) | yield->next | block+wake | tick (no acct) | tick (Xen timings) | account")
    for p in ints(pcpus) {
      for n in counts where n >= p {
        let r = SchedBenchmark.decisionCosts(vcpus: n, pcpus: p, runs: runs, ops: ops)
        print(
          "  \(pad(p, 5)) | \(pad(n, 5)) | \(pad(r.pick, 11)) | \(pad(r.yield, 11)) | \(pad(r.blockWake, 10)) | \(pad(r.tick, 14)) | \(pad(r.tickXen, 18)) | \(pad(r.account, 7))"
        )
      }
    }
    print("fairness (always-runnable vCPUs, 30,000 ticks; error = |share - water-filled weight share|, epsilon \(fairnessEpsilon))")
    for (w, p) in [([256, 256, 256], 1), ([512, 256], 1), ([1024, 256, 128], 1), ([65535, 1], 1), ([1024, 256, 256], 2), ([100, 200, 300, 400, 500], 2)] {
      let f = SchedBenchmark.fairness(weights: w, pcpus: p, ticks: 30_000)
      print("  weights \(w) pcpus \(p): shares \(f.shares.map { String(format: "%.4f", $0) }) max error \(String(format: "%.4f", f.maxError))")
    }
    for p in [1, 2] {
      print("wake-to-run latency (ticks from wake to first run; \(4 * p) CPU-bound + 4 I/O-bound vCPUs, \(p) pCPU, 100,000 ticks)")
      let l = SchedBenchmark.wakeLatency(cpuBound: 4 * p, ioBound: 4, pcpus: p, ticks: 100_000, seed: 1)
      for (name, xs) in [("woken UNDER (BOOST)", l.boosted), ("woken OVER", l.over), ("all", l.boosted + l.over)] {
        let s = xs.sorted()
        guard !s.isEmpty else { continue }
        func q(_ f: Double) -> Int { s[min(s.count - 1, Int(Double(s.count) * f))] }
        print("  \(name): \(s.count) wakes, p50 \(q(0.5)), p90 \(q(0.9)), p99 \(q(0.99)), max \(s.last!) ticks")
      }
    }
  }

  func pad(_ x: Int, _ w: Int) -> String {
    let s = String(x)
    return String(repeating: " ", count: max(0, w - s.count)) + s
  }
}

/// The measurements, on `Scheduler` directly.
enum SchedBenchmark {
  struct Costs { var pick, yield, blockWake, tick, tickXen, account: Int }

  /// A scheduler with dom0 blocked and `n` runnable vCPUs (4 per domain).
  static func machine(vcpus n: Int, pcpus: Int = 1, ticksPerAccount: Int = 3) -> (Scheduler, [VCPUID]) {
    var c = SchedulerConfig()
    c.pcpus = pcpus
    c.maxVCPUsPerDomain = 4
    c.maxDomains = (n + 3) / 4 + 1
    c.ticksPerAccount = ticksPerAccount
    var s = Scheduler(config: c)
    let d0 = VCPUID(.dom0, 0)
    var ids: [VCPUID] = []
    try! s.block(caller: d0)
    var left = n
    var d: UInt16 = 1
    while left > 0 {
      let k = min(4, left)
      try! s.domainCreate(caller: d0, domain: DomID(d), vcpus: k)
      try! s.domainUnpause(caller: d0, target: DomID(d))
      for i in 0..<k { ids.append(VCPUID(DomID(d), i)) }
      left -= k
      d += 1
    }
    return (s, ids)
  }

  /// Median ns per op of `body` run `ops` times, over `runs` repetitions.
  static func median(runs: Int, ops: Int, _ body: (Int) -> Void) -> Int {
    var xs: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
      let d = clock.measure { body(ops) }
      let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) * 1e-9
      xs.append(ns / Double(ops))
    }
    xs.sort()
    return Int(xs[xs.count / 2].rounded())
  }

  static func decisionCosts(vcpus n: Int, pcpus p: Int, runs: Int, ops: Int) -> Costs {
    var (s, _) = machine(vcpus: n, pcpus: p)
    var sink = 0
    let pick = median(runs: runs, ops: ops * 5) { k in
      for _ in 0..<k { sink &+= s.bestQueued()?.index ?? 0 }
    }
    // yield: the running vCPU goes to the tail, the head of the best level list runs.
    let yield = median(runs: runs, ops: ops) { k in
      for _ in 0..<k { try! s.yield(caller: s.current(pcpu: 0)!) }
    }
    // block the running vCPU (next one is picked), then wake it (BOOST preempts).
    let blockWake = median(runs: runs, ops: ops) { k in
      for _ in 0..<k {
        let v = s.current(pcpu: 0)!
        try! s.block(caller: v)
        try! s.wake(v)
      }
    }
    // tick without accounting: accounting period longer than the run.
    var (t, _) = machine(vcpus: n, pcpus: p, ticksPerAccount: 1 << 20)
    let tick = median(runs: runs, ops: ops) { k in for _ in 0..<k { t.tick() } }
    var (x, _) = machine(vcpus: n, pcpus: p)
    let tickOps = max(300, min(ops, 30_000_000 / max(n, 1)))
    let tickXen = median(runs: runs, ops: tickOps) { k in for _ in 0..<k { x.tick() } }
    let accOps = max(30, min(ops, 10_000_000 / max(n, 1)))
    let account = median(runs: runs, ops: accOps) { k in for _ in 0..<k { x.account() } }
    if sink == 42 { print("") }
    return Costs(pick: pick, yield: yield, blockWake: blockWake, tick: tick, tickXen: tickXen, account: account)
  }

  /// Shares of always-runnable vCPUs on the core, and the largest error against the Spec's
  /// water-filled targets.
  static func fairness(weights: [Int], pcpus: Int, ticks: Int) -> (shares: [Double], maxError: Double) {
    var c = SchedulerConfig()
    c.pcpus = pcpus
    c.maxDomains = weights.count + 1
    var s = Scheduler(config: c)
    let d0 = VCPUID(.dom0, 0)
    try! s.block(caller: d0)
    var ids: [VCPUID] = []
    for (i, w) in weights.enumerated() {
      let d = DomID(UInt16(i + 1))
      try! s.domainCreate(caller: d0, domain: d, vcpus: 1)
      try! s.setWeight(caller: d0, target: d, weight: w)
      try! s.domainUnpause(caller: d0, target: d)
      ids.append(VCPUID(d, 0))
    }
    var ran = Array(repeating: 0, count: weights.count)
    for _ in 0..<ticks {
      for (i, v) in ids.enumerated() where s.pcpu(of: v) != nil { ran[i] += 1 }
      s.tick()
    }
    let shares = ran.map { Double($0) / Double(ticks * pcpus) }
    let targets = targetShares(weights: weights, caps: Array(repeating: 0, count: weights.count), pcpus: pcpus)
    return (shares, zip(shares, targets).map { abs($0 - $1) }.max() ?? 0)
  }

  /// Wake-to-run latencies (ticks) of I/O-bound vCPUs that run 1...3 ticks, block 1...20 ticks,
  /// and are woken, among CPU-bound ones; split by the woken vCPU's priority.
  static func wakeLatency(cpuBound: Int, ioBound: Int, pcpus: Int, ticks: Int, seed: UInt64) -> (boosted: [Int], over: [Int]) {
    var (s, ids) = machine(vcpus: cpuBound + ioBound, pcpus: pcpus)
    var rng = seed
    func rand(_ n: Int) -> Int {
      rng = rng &* 6364136223846793005 &+ 1442695040888963407
      return Int((rng >> 33) % UInt64(n))
    }
    let io = Array(ids.suffix(ioBound))
    var sleepLeft = Array(repeating: 0, count: ioBound)
    var runLeft = Array(repeating: 1, count: ioBound)
    var wokenAt = Array(repeating: -1, count: ioBound)
    var wokenBoosted = Array(repeating: false, count: ioBound)
    var boosted: [Int] = []
    var over: [Int] = []
    for t in 0..<ticks {
      for (i, v) in io.enumerated() where wokenAt[i] >= 0 && s.pcpu(of: v) != nil {
        if wokenBoosted[i] { boosted.append(t - wokenAt[i]) } else { over.append(t - wokenAt[i]) }
        wokenAt[i] = -1
        runLeft[i] = 1 + rand(3)
      }
      s.tick()
      for (i, v) in io.enumerated() {
        let rec = s.vcpu(v)!
        if rec.blocked {
          sleepLeft[i] -= 1
          if sleepLeft[i] <= 0 {
            wokenBoosted[i] = rec.priority == .under
            try! s.wake(v)
            wokenAt[i] = t + 1
            if s.pcpu(of: v) != nil {
              if wokenBoosted[i] { boosted.append(0) } else { over.append(0) }
              wokenAt[i] = -1
              runLeft[i] = 1 + rand(3)
            }
          }
        } else if s.pcpu(of: v) != nil {
          runLeft[i] -= 1
          if runLeft[i] <= 0 {
            try! s.block(caller: v)
            sleepLeft[i] = 1 + rand(20)
          }
        }
      }
    }
    return (boosted, over)
  }
}
