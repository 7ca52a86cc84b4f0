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
    let (events, failure) = SchedDifferential.run(seed: seed, count: count, config: config)
    guard let (i, why) = failure else { return true }
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

  /// >= 100,000 generated events per run: for each of the five configurations (run in
  /// parallel), 5 traces of 4,000 events. Set SCHED_SEED to replay one trace from a reported
  /// seed on every configuration.
  @Test(arguments: 0..<5) func coreAgreesWithSpec(configIndex: Int) {
    let config = Self.configs[configIndex]
    if let env = getenv("SCHED_SEED"), let seed = UInt64(String(cString: env)) {
      _ = Self.check(seed: seed, count: 4000, config: config)
      return
    }
    let clock = ContinuousClock()
    var events = 0
    let elapsed = clock.measure {
      for run in 0..<5 {
        let seed = 0x5C4E_D000 + UInt64(configIndex * 5 + run)
        events += 4000
        if !Self.check(seed: seed, count: 4000, config: config) { break }
      }
    }
    print("scheduler differential, config \(configIndex) (pcpus \(config.pcpus)): \(events) events in \(elapsed)")
  }

  /// The shrinker keeps a trace failing and makes it short: a synthetic failure ("the third
  /// yield after a setCap") in a 2,000-event trace shrinks to exactly those four events.
  @Test func shrinkerShortensTraces() {
    let config = Self.configs[0]
    let events = SchedDifferential.run(seed: 7, count: 2000, config: config).events
    func fails(_ es: [SchedEvent]) -> Int? {
      var capSeen = false
      var yields = 0
      for (i, e) in es.enumerated() {
        if case .setCap = e { capSeen = true }
        if case .yield = e, capSeen { yields += 1 }
        if yields == 3 { return i }
      }
      return nil
    }
    #expect(fails(events) != nil)
    let small = SchedDifferential.shrink(events, fails: fails)
    #expect(small.count == 4, "\(small)")
    #expect(fails(small) == 3)
  }
}
