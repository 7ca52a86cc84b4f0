// Differential tests: the core against the Spec on generated traces.
//
// Every run replays the same seeds (so a failure is reproducible) and covers more than
// 100,000 operations; each operation's result is compared, and every `checkEvery` operations
// the whole projected state and the invariants of both sides too. A failure prints the seed,
// the divergence, and the shrunk trace in trace format (replay it with
// `bulkhead replay FILE --against-spec`).
import BulkheadCore
import Testing

@Suite("Differential: core vs Spec")
struct DifferentialTests {
  static let shards = 4
  static let tracesPerShard = 70
  static let opsPerTrace = 360
  static let checkEvery = 48

  @Test("generated traces agree with the Spec (>= 100,000 operations)", arguments: 0..<shards)
  func generatedTraces(shard: Int) {
    let config = MMConfig()
    var total = 0
    for t in 0..<Self.tracesPerShard {
      let seed = UInt64(0xB01C_0000) + UInt64(shard * Self.tracesPerShard + t)
      let (ops, failure) = DifferentialRunner.generate(
        seed: seed, length: Self.opsPerTrace, config: config, checkEvery: Self.checkEvery)
      total += ops.count
      if let failure {
        let small = DifferentialRunner.shrink(ops, config: config)
        let why = DifferentialRunner.replay(small, config: config)?.description ?? failure.description
        Issue.record(
          """
          seed \(seed): \(failure)
          shrunk to \(small.count) operations, \(why):
          \(MMTraceCodec.encode(trace: small, config: config))
          """)
        return
      }
    }
    #expect(total * Self.shards >= 100_000)
  }

  @Test("small machines with tight reservations agree with the Spec")
  func tightMachine() {
    var config = MMConfig()
    config.frameCount = 24
    config.hypervisorFrames = 3
    config.dom0MaxPages = 8
    for seed in UInt64(1)...20 {
      let (ops, failure) = DifferentialRunner.generate(seed: seed, length: 200, config: config, checkEvery: 5)
      if let failure {
        let small = DifferentialRunner.shrink(ops, config: config)
        Issue.record("seed \(seed): \(failure)\n\(MMTraceCodec.encode(trace: small, config: config))")
        return
      }
    }
  }
}
