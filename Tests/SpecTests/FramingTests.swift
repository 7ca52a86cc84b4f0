import BulkheadSpec
import Testing

/// The frame conditions of Spec/Framing.swift against the transitions themselves: on random
/// traces, every accepted step changes only parts its transition is listed as writing. The
/// "f" cells of `bulkhead prove --matrix` rest on this table.
@Suite struct FramingTests {
  @Test func transitionsWriteOnlyWhatTheFrameConditionsList() {
    var seen: [String: Set<StatePart>] = [:]
    var violations: [String] = []
    var config = SpecConfig()
    config.pcpus = 2
    for (seed, start) in (UInt64(1)...60).map({ ($0, $0 % 2 == 0 ? Scenario.standard().state : SpecState(config: config)) }) {
      var gen = OpGenerator(seed: seed)
      var s = start
      for _ in 0..<200 {
        let op = gen.next(s)
        let (accepted, next) = op.apply(s)
        let name: String?
        switch op.frameCondition {
        case .ofKind: name = op.kind
        case .of(let transition): name = transition
        case .writesNothing: name = nil
        }
        let changed = changedParts(s, next)
        if let name {
          guard let allowed = transitionWrites[name] else {
            violations.append("\(name) has no frame condition")
            break
          }
          if !changed.isSubset(of: allowed) {
            violations.append("seed \(seed) \(name) wrote \(changed.subtracting(allowed).sorted().map(\.rawValue))")
          }
          if accepted { seen[name, default: []].formUnion(changed) }
        } else if !changed.isEmpty {
          violations.append("seed \(seed) \(op.kind) should write nothing, wrote \(changed.sorted().map(\.rawValue))")
        }
        s = next
      }
    }
    #expect(violations == [])
    // The traces exercised the table: nearly every transition was accepted with an effect.
    #expect(seen.count >= 30, "only \(seen.keys.sorted()) were seen writing")
    for (name, parts) in seen.sorted(by: { $0.key < $1.key }) {
      print("framing:", name, String(parts.sorted().map(\.rawValue)), "of", String((transitionWrites[name] ?? []).sorted().map(\.rawValue)))
    }
  }

  /// Every transition the matrix names has a frame condition, and every invariant a reads set.
  @Test func everyInvariantHasAReadsSet() {
    for i in allInvariants { #expect(invariantReads[i.name] != nil, "\(i.name)") }
  }
}
