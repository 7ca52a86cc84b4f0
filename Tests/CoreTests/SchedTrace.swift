// Scheduler traces for the differential tests: an event vocabulary both the core and the Spec
// can run, a seeded generator biased toward interesting states, the projection the two are
// compared on, and a shrinker that turns a failing trace into a short one.
import BulkheadCore
import BulkheadSpec

typealias CDom = BulkheadCore.DomID
typealias CVCPU = BulkheadCore.VCPUID
typealias SDom = BulkheadSpec.DomID
typealias SVCPU = BulkheadSpec.VCPUID

/// SplitMix64: every trace is replayable from its seed.
struct SchedRNG {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in `0..<n` (n > 0; the modulo bias is irrelevant here).
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
  mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
  mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

/// One scheduler event, with plain-integer arguments so traces print and shrink simply.
enum SchedEvent: Equatable, CustomStringConvertible {
  case tick
  case account
  case wake(dom: UInt16, vcpu: Int)
  case block(dom: UInt16, vcpu: Int)
  case yield(dom: UInt16, vcpu: Int)
  case setWeight(caller: UInt16, target: UInt16, weight: Int)
  case setCap(caller: UInt16, target: UInt16, cap: Int)
  case create(caller: UInt16, dom: UInt16, vcpus: Int)
  case destroy(caller: UInt16, target: UInt16)
  case pause(caller: UInt16, target: UInt16)
  case unpause(caller: UInt16, target: UInt16)

  var description: String {
    switch self {
    case .tick: ".tick"
    case .account: ".account"
    case .wake(let d, let v): ".wake(dom: \(d), vcpu: \(v))"
    case .block(let d, let v): ".block(dom: \(d), vcpu: \(v))"
    case .yield(let d, let v): ".yield(dom: \(d), vcpu: \(v))"
    case .setWeight(let c, let t, let w): ".setWeight(caller: \(c), target: \(t), weight: \(w))"
    case .setCap(let c, let t, let x): ".setCap(caller: \(c), target: \(t), cap: \(x))"
    case .create(let c, let d, let n): ".create(caller: \(c), dom: \(d), vcpus: \(n))"
    case .destroy(let c, let t): ".destroy(caller: \(c), target: \(t))"
    case .pause(let c, let t): ".pause(caller: \(c), target: \(t))"
    case .unpause(let c, let t): ".unpause(caller: \(c), target: \(t))"
    }
  }

  /// Runs the event through the Spec: errno (nil = accepted) and the next state.
  func apply(_ s: SpecState) -> (Int32?, SpecState) {
    func r(_ t: Transition<Void>) -> (Int32?, SpecState) {
      switch t.result {
      case .success: (nil, t.state)
      case .failure(let e): (e.rawValue, t.state)
      }
    }
    func sv(_ d: UInt16, _ i: Int) -> SVCPU { SVCPU(SDom(d), i) }
    let c0 = sv(0, 0)
    switch self {
    case .tick: return r(s.tick())
    case .account: return r(s.account())
    case .wake(let d, let v): return r(s.wake(sv(d, v)))
    case .block(let d, let v): return r(s.block(caller: sv(d, v)))
    case .yield(let d, let v): return r(s.yield(caller: sv(d, v)))
    case .setWeight(let c, let t, let w): return r(s.setWeight(caller: c == 0 ? c0 : sv(c, 0), target: SDom(t), weight: w))
    case .setCap(let c, let t, let x): return r(s.setCap(caller: sv(c, 0), target: SDom(t), cap: x))
    case .create(let c, let d, let n): return r(s.domainCreate(caller: sv(c, 0), domain: SDom(d), maxPages: 0, vcpus: n))
    case .destroy(let c, let t): return r(s.domainDestroy(caller: sv(c, 0), target: SDom(t)))
    case .pause(let c, let t): return r(s.domainPause(caller: sv(c, 0), target: SDom(t)))
    case .unpause(let c, let t): return r(s.domainUnpause(caller: sv(c, 0), target: SDom(t)))
    }
  }

  /// Runs the event through the core: errno (nil = accepted).
  func apply(_ c: inout Scheduler, eventPending: Bool) -> Int32? {
    func cv(_ d: UInt16, _ i: Int) -> CVCPU { CVCPU(CDom(d), i) }
    do throws(HypercallError) {
      switch self {
      case .tick: c.tick()
      case .account: c.account()
      case .wake(let d, let v): try c.wake(cv(d, v))
      case .block(let d, let v): try c.block(caller: cv(d, v), eventPending: eventPending)
      case .yield(let d, let v): try c.yield(caller: cv(d, v))
      case .setWeight(let k, let t, let w): try c.setWeight(caller: cv(k, 0), target: CDom(t), weight: w)
      case .setCap(let k, let t, let x): try c.setCap(caller: cv(k, 0), target: CDom(t), cap: x)
      case .create(let k, let d, let n): try c.domainCreate(caller: cv(k, 0), domain: CDom(d), vcpus: n)
      case .destroy(let k, let t): try c.domainDestroy(caller: cv(k, 0), target: CDom(t))
      case .pause(let k, let t): try c.domainPause(caller: cv(k, 0), target: CDom(t))
      case .unpause(let k, let t): try c.domainUnpause(caller: cv(k, 0), target: CDom(t))
      }
      return nil
    } catch {
      return error.rawValue
    }
  }
}

/// Generates events against the Spec state, mostly about things that exist.
struct SchedTraceGenerator {
  var rng: SchedRNG
  /// Next never-used domain id.
  var nextDom: UInt16 = 1
  /// Most live domains (dom0 included) it creates, below the core's `maxDomains`.
  var maxLive = 12

  init(seed: UInt64) { rng = SchedRNG(seed: seed) }

  /// A vCPU: 90% an existing one, else a made-up one (dead domain, bad index, unknown id).
  mutating func vcpu(_ s: SpecState) -> (UInt16, Int) {
    let keys = s.vcpus.keys.sorted()
    if !keys.isEmpty && rng.chance(90) {
      let v = rng.pick(keys)
      return (v.domain.raw, v.index)
    }
    return (UInt16(rng.below(Int(nextDom) + 2)), rng.pick([-1, 0, 1, 4, 7]))
  }

  /// A domain: 85% a live one other than dom0 (if any), else any id near the used range.
  mutating func domain(_ s: SpecState) -> UInt16 {
    let live = s.domains.values.filter { $0.isAlive && $0.id != .dom0 }.map(\.id.raw).sorted()
    if !live.isEmpty && rng.chance(85) { return rng.pick(live) }
    return UInt16(rng.below(Int(nextDom) + 2))
  }

  /// The control caller: dom0 (95%), else a guest (EPERM) or a dead/unknown domain (ESRCH).
  mutating func caller(_ s: SpecState) -> UInt16 { rng.chance(95) ? 0 : domain(s) }

  mutating func next(_ s: SpecState) -> SchedEvent {
    let live = s.domains.values.filter(\.isAlive).count
    let r = rng.below(100)
    switch r {
    case 0..<34: return .tick
    case 34..<36: return .account
    case 36..<50:
      let (d, v) = vcpu(s)
      return .wake(dom: d, vcpu: v)
    case 50..<61:
      let (d, v) = vcpu(s)
      return .block(dom: d, vcpu: v)
    case 61..<70:
      // Yield the running vCPU most of the time: that is when yield does something.
      if let v = s.running.compactMap({ $0 }).first, rng.chance(70) { return .yield(dom: v.domain.raw, vcpu: v.index) }
      let (d, v) = vcpu(s)
      return .yield(dom: d, vcpu: v)
    case 70..<75:
      return .setWeight(caller: caller(s), target: domain(s), weight: rng.pick([0, 1, 2, 64, 128, 256, 256, 512, 1000, 65535, 65536]))
    case 75..<81:
      return .setCap(caller: caller(s), target: domain(s), cap: rng.pick([-1, 0, 0, 1, 10, 25, 33, 50, 67, 100, 101]))
    case 81..<87:
      if live >= maxLive { return .destroy(caller: caller(s), target: domain(s)) }
      let fresh = rng.chance(90)
      let d = fresh ? nextDom : UInt16(rng.below(Int(nextDom) + 1))
      if fresh { nextDom += 1 }
      return .create(caller: caller(s), dom: d, vcpus: rng.pick([0, 1, 1, 2, 3, 4, 5]))
    case 87..<90: return .destroy(caller: caller(s), target: domain(s))
    case 90..<93: return .pause(caller: caller(s), target: domain(s))
    default: return .unpause(caller: caller(s), target: domain(s))
    }
  }
}

/// The state both sides are compared on: every scheduler field, in the Spec's vocabulary.
struct SchedProjection: Equatable, CustomStringConvertible {
  struct V: Equatable {
    var dom: UInt16, index: Int, weight: Int, cap: Int, credit: Int, priority: Int
    var blocked: Bool, capBudget: Int, parked: Bool, processor: Int
  }
  /// vCPUs as `domain << 16 | index` (-1: idle pCPU).
  var running: [Int]
  var sliceUsed: [Int]
  /// One queue per pCPU.
  var queues: [[Int]]
  var vcpus: [V]
  var paused: [UInt16]
  var now: Int

  var description: String {
    "running \(running.map(Self.name)) slices \(sliceUsed) queues \(queues.map { $0.map(Self.name) }) paused \(paused) now \(now)\n    "
      + vcpus.map { "d\($0.dom)v\($0.index) w\($0.weight) c\($0.cap) cr\($0.credit) p\($0.priority) b\($0.blocked) bud\($0.capBudget) pk\($0.parked) @\($0.processor)" }
      .joined(separator: "\n    ")
  }

  static func code(_ d: UInt16, _ i: Int) -> Int { Int(d) << 16 | (i & 0xFFFF) }
  static func name(_ code: Int) -> String { code < 0 ? "-" : "d\(code >> 16)v\(code & 0xFFFF)" }

  init(_ s: SpecState) {
    running = s.running.map { $0.map { Self.code($0.domain.raw, $0.index) } ?? -1 }
    sliceUsed = s.sliceUsed
    queues = s.runQueues.map { $0.map { Self.code($0.domain.raw, $0.index) } }
    vcpus = s.vcpus.keys.sorted().map { k in
      let v = s.vcpus[k]!
      return V(
        dom: k.domain.raw, index: k.index, weight: v.weight, cap: v.cap, credit: v.credit,
        priority: v.priority.rawValue, blocked: v.blocked, capBudget: v.capBudget, parked: v.parked,
        processor: v.processor)
    }
    paused = s.domains.values.filter { $0.state == .paused }.map(\.id.raw).sorted()
    now = s.now
  }

  init(_ c: Scheduler) {
    running = (0..<c.config.pcpus).map { p in c.current(pcpu: p).map { Self.code($0.domain.raw, $0.index) } ?? -1 }
    sliceUsed = c.sliceUsed
    queues = (0..<c.queue.queues).map { q in
      var out: [Int] = []
      var s = c.queue.first(q)
      while s >= 0 && out.count <= c.vcpus.count {
        out.append(Self.code(c.vcpus[s].id.domain.raw, c.vcpus[s].id.index))
        s = c.queue.after(s)
      }
      return out
    }
    vcpus = c.vcpus.filter(\.inUse).map { v in
      V(
        dom: v.id.domain.raw, index: v.id.index, weight: v.weight, cap: v.cap, credit: v.credit,
        priority: Int(v.priority.rawValue), blocked: v.blocked, capBudget: v.capBudget, parked: v.parked,
        processor: v.processor)
    }.sorted { ($0.dom, $0.index) < ($1.dom, $1.index) }
    var p: [UInt16] = []
    for v in c.vcpus where v.inUse && v.id.index == 0 && c.isPaused(v.id.domain) == true { p.append(v.id.domain.raw) }
    paused = p.sorted()
    now = c.now
  }
}

/// Runs traces through both sides and reports the first disagreement.
enum SchedDifferential {
  /// The core configuration matching `spec` (maxDomains above the generator's `maxLive`).
  static func coreConfig(_ spec: SpecConfig) -> SchedulerConfig {
    var c = SchedulerConfig()
    c.pcpus = spec.pcpus
    c.dom0VCPUs = spec.dom0VCPUs
    c.maxVCPUsPerDomain = spec.maxVCPUsPerDomain
    c.tickMs = spec.tickMs
    c.ticksPerSlice = spec.ticksPerSlice
    c.ticksPerAccount = spec.ticksPerAccount
    c.creditsPerTick = spec.creditsPerTick
    c.defaultWeight = spec.defaultWeight
    c.maxDomains = 16
    return c
  }

  /// The Spec's scheduler invariants.
  static let specInvariants = allInvariants.filter {
    ["onePerPCPU", "onlyRunnableRun", "creditBounds", "capRespected", "boundedWait"].contains($0.name)
  }

  /// Runs both sides over `count` events: the given `events`, or (when nil) events generated
  /// from `seed` against the Spec state as it goes. Returns the events run and, if some step
  /// disagreed or broke an invariant, its index and what went wrong.
  static func run(
    _ given: [SchedEvent]? = nil, seed: UInt64 = 0, count: Int = 0, config: SpecConfig
  ) -> (events: [SchedEvent], failure: (Int, String)?) {
    var spec = SpecState(config: config)
    var core = Scheduler(config: coreConfig(config))
    var gen = SchedTraceGenerator(seed: seed)
    var events: [SchedEvent] = []
    let n = given?.count ?? count
    events.reserveCapacity(n)
    if SchedProjection(spec) != SchedProjection(core) {
      return (events, (-1, "initial states differ\n  spec \(SchedProjection(spec))\n  core \(SchedProjection(core))"))
    }
    for i in 0..<n {
      let e = given?[i] ?? gen.next(spec)
      events.append(e)
      var pending = false
      if case .block(let d, _) = e { pending = spec.hasDeliverableEvent(SDom(d)) }
      let (se, next) = e.apply(spec)
      spec = next
      let ce = e.apply(&core, eventPending: pending)
      if se != ce { return (events, (i, "\(e): spec errno \(se.map(String.init) ?? "ok"), core \(ce.map(String.init) ?? "ok")")) }
      let sp = SchedProjection(spec)
      let cp = SchedProjection(core)
      if sp != cp { return (events, (i, "\(e): states differ\n  spec \(sp)\n  core \(cp)")) }
      let cv = core.checkInvariants()
      if !cv.isEmpty {
        return (events, (i, "\(e): core invariants: " + cv.map { "\($0.invariant): \($0.what) [\($0.subject)]" }.joined(separator: "; ")))
      }
      let sv = specInvariants.flatMap { $0.check(spec) }
      if !sv.isEmpty { return (events, (i, "\(e): spec invariants: \(sv)")) }
    }
    return (events, nil)
  }

  /// The first failing step of `events`, or nil.
  static func firstFailure(_ events: [SchedEvent], config: SpecConfig) -> (Int, String)? {
    run(events, config: config).failure
  }

  /// Shrinks a failing trace: cut after the failure, then delete chunks (halving their size
  /// down to single events) while it still fails. `fails` returns the failing step or nil.
  static func shrink(_ events: [SchedEvent], fails: ([SchedEvent]) -> Int?) -> [SchedEvent] {
    guard let i = fails(events) else { return events }
    var cur = Array(events.prefix(i + 1))
    var chunk = max(1, cur.count / 2)
    while true {
      var start = 0
      while start < cur.count {
        var cand = cur
        cand.removeSubrange(start..<min(cur.count, start + chunk))
        if let j = fails(cand) { cur = Array(cand.prefix(j + 1)) } else { start += chunk }
      }
      if chunk == 1 { break }
      chunk /= 2
    }
    return cur
  }

  /// Shrinks a trace that fails the differential check.
  static func shrink(_ events: [SchedEvent], config: SpecConfig) -> [SchedEvent] {
    shrink(events) { firstFailure($0, config: config)?.0 }
  }
}
