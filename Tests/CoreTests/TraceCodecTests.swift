// The trace format round-trips every operation the generator produces.
import BulkheadCore
import Testing

@Suite("Trace: JSON Lines codec")
struct TraceCodecTests {
  @Test("generated operations round-trip through the codec")
  func roundTrip() throws {
    var gen = MMTraceGenerator(seed: 7)
    var mm = HostMemoryManager(config: MMConfig())
    var ops: [MMOperation] = []
    for _ in 0..<2000 {
      let op = gen.next(mm)
      ops.append(op)
      _ = mm.apply(op)
    }
    let text = MMTraceCodec.encode(trace: ops, config: MMConfig())
    let (config, decoded) = try MMTraceCodec.decode(trace: text)
    #expect(config == MMConfig())
    #expect(decoded == ops)
  }

  @Test("malformed lines are reported with their number")
  func errors() {
    #expect(throws: MMTraceError.self) { try MMTraceCodec.decode(trace: "{\"op\":\"mmuUpdate\"}\n") }
    #expect(throws: MMTraceError.self) { try MMTraceCodec.decode(trace: "not json\n") }
  }
}
