// Runs memory-management traces through the core and the Spec side by side, and shrinks a
// failing trace to a minimal one.
import BulkheadCore
import BulkheadSpec

/// Where and how a trace first diverged.
struct DifferentialFailure: CustomStringConvertible {
  /// Index of the operation after which the divergence was seen.
  var index: Int
  /// What differs.
  var reason: String
  var description: String { "after operation \(index): \(reason)" }
}

enum DifferentialRunner {
  /// Applies one operation to both and returns a description of any difference in the result,
  /// or (when `checkState`) in the states and invariants afterwards.
  static func step(
    _ op: MMOperation, core: inout HostMemoryManager, spec: inout SpecState, checkState: Bool
  ) -> String? {
    let c = core.apply(op)
    let (s, next) = MMBridge.apply(op, to: spec)
    spec = next
    if c != s {
      return "result differs for \(MMTraceCodec.encode(op)): spec \(describe(s)), core \(describe(c))"
    }
    guard checkState else { return nil }
    if let d = MMBridge.divergence(core: core, spec: spec) { return "state differs: \(d)" }
    let cv = MMBridge.coreViolations(core)
    if !cv.isEmpty { return "core invariant broken: \(cv[0])" }
    let sv = MMBridge.specViolations(spec)
    if !sv.isEmpty { return "spec invariant broken: \(sv[0])" }
    return nil
  }

  static func describe(_ o: MMOutcome) -> String {
    let e = o.error.map { "\($0.name)(\($0.rawValue))" } ?? "ok"
    return "\(e) done=\(o.done) value=\(o.value)\(o.frames.isEmpty ? "" : " frames=\(o.frames.map(\.raw))")"
  }

  /// Replays a fixed trace; checks the state every `checkEvery` operations and at the end.
  static func replay(_ ops: [MMOperation], config: MMConfig, checkEvery: Int = 1) -> DifferentialFailure? {
    var core = HostMemoryManager(config: config)
    var spec = SpecState(config: MMBridge.specConfig(config))
    for (i, op) in ops.enumerated() {
      let check = (i + 1) % checkEvery == 0 || i == ops.count - 1
      if let r = step(op, core: &core, spec: &spec, checkState: check) { return DifferentialFailure(index: i, reason: r) }
    }
    return nil
  }

  /// Generates `length` operations from `seed` (each chosen from the core's current state),
  /// running them as it goes. Returns the trace and the first failure.
  static func generate(
    seed: UInt64, length: Int, config: MMConfig, checkEvery: Int
  ) -> (ops: [MMOperation], failure: DifferentialFailure?) {
    var gen = MMTraceGenerator(seed: seed)
    var core = HostMemoryManager(config: config)
    var spec = SpecState(config: MMBridge.specConfig(config))
    var ops: [MMOperation] = []
    for i in 0..<length {
      let op = gen.next(core)
      ops.append(op)
      let check = (i + 1) % checkEvery == 0 || i == length - 1
      if let r = step(op, core: &core, spec: &spec, checkState: check) {
        return (ops, DifferentialFailure(index: i, reason: r))
      }
    }
    return (ops, nil)
  }

  /// Shrinks a failing trace: removes chunks of operations (halving the chunk size down to 1),
  /// then requests inside batches, keeping every change that still fails.
  static func shrink(_ ops: [MMOperation], config: MMConfig) -> [MMOperation] {
    var cur = Array(ops.prefix((replay(ops, config: config)?.index ?? ops.count - 1) + 1))
    func fails(_ t: [MMOperation]) -> Bool { !t.isEmpty && replay(t, config: config) != nil }
    var chunk = max(1, cur.count / 2)
    while chunk >= 1 {
      var i = 0
      var changed = false
      while i < cur.count {
        var t = cur
        t.removeSubrange(i..<min(i + chunk, t.count))
        if fails(t) { cur = t; changed = true } else { i += chunk }
      }
      if !changed { chunk /= 2 } else if chunk > cur.count { chunk = max(1, cur.count / 2) }
    }
    for i in cur.indices {
      switch cur[i] {
      case .mmuUpdate(let c, var reqs):
        var j = 0
        while j < reqs.count && reqs.count > 1 {
          var r2 = reqs
          r2.remove(at: j)
          var t = cur
          t[i] = .mmuUpdate(caller: c, requests: r2)
          if fails(t) { reqs = r2; cur = t } else { j += 1 }
        }
      case .mmuextOp(let c, var ops):
        var j = 0
        while j < ops.count && ops.count > 1 {
          var o2 = ops
          o2.remove(at: j)
          var t = cur
          t[i] = .mmuextOp(caller: c, ops: o2)
          if fails(t) { ops = o2; cur = t } else { j += 1 }
        }
      default: break
      }
    }
    return cur
  }
}
