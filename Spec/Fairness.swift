// The fairness property, as a simulation.
//
// Weights promise proportional shares: with always-runnable vCPUs of weights w_i, vCPU i should
// get w_i / sum(w) of the CPU time, but never more than one pCPU and never more than its cap.
// `simulateFairness` runs the model's own scheduler (tick after tick) and reports each vCPU's
// measured share against that target. The bound the tests hold it to is `fairnessEpsilon`:
// every share within 4 percentage points of its target, the accuracy the credit scheduler is
// designed for.

/// Largest allowed |share - target| for any vCPU over a long always-runnable run.
public let fairnessEpsilon = 0.04

/// What a fairness simulation measured.
public struct FairnessReport: Sendable, CustomStringConvertible {
  /// The weights simulated, one vCPU each.
  public var weights: [Int]
  /// The caps simulated (0 = none).
  public var caps: [Int]
  /// Measured share of total pCPU time, per vCPU.
  public var shares: [Double]
  /// Target share (weighted, at most one pCPU, at most the cap), per vCPU.
  public var targets: [Double]
  /// Ticks each vCPU ran.
  public var ticksRun: [Int]
  /// Longest run of consecutive ticks each vCPU spent runnable but not running.
  public var maxWait: [Int]
  /// Every invariant violation seen along the way (should be empty).
  public var violations: [Violation]
  /// Largest |share - target|.
  public var maxError: Double { zip(shares, targets).map { abs($0 - $1) }.max() ?? 0 }
  public var description: String {
    "weights \(weights) caps \(caps): shares \(shares.map { ($0 * 1000).rounded() / 1000 }) targets \(targets.map { ($0 * 1000).rounded() / 1000 }) maxErr \(maxError)"
  }
}

/// Ideal shares of `pcpus` pCPUs for vCPUs of `weights`, each limited to one pCPU and to its cap
/// (water-filling: a vCPU that hits its limit gets exactly it, the rest is reshared by weight).
public func targetShares(weights: [Int], caps: [Int], pcpus: Int) -> [Double] {
  var target = Array(repeating: 0.0, count: weights.count)
  var open = Set(weights.indices)
  var capacity = Double(pcpus)
  func limit(_ i: Int) -> Double { caps[i] > 0 ? min(1, Double(caps[i]) / 100) : 1 }
  while !open.isEmpty {
    let sum = open.reduce(0.0) { $0 + Double(weights[$1]) }
    let saturated = open.filter { capacity * Double(weights[$0]) / sum >= limit($0) }
    if saturated.isEmpty {
      for i in open { target[i] = capacity * Double(weights[i]) / sum }
      break
    }
    for i in saturated {
      target[i] = limit(i)
      capacity -= limit(i)
      open.remove(i)
    }
  }
  return target.map { $0 / Double(pcpus) }
}

/// Runs `ticks` ticks with one always-runnable vCPU per weight (dom0 blocked out of the way)
/// and measures shares. Checks every invariant every `checkEvery` ticks (0 = never).
public func simulateFairness(
  weights: [Int], caps: [Int]? = nil, pcpus: Int = 1, ticks: Int,
  config base: SpecConfig = SpecConfig(), checkEvery: Int = 0
) -> FairnessReport {
  let caps = caps ?? Array(repeating: 0, count: weights.count)
  var config = base
  config.pcpus = pcpus
  let d0 = VCPUID(.dom0, 0)
  var s = SpecState(config: config)
  s = must(s.block(caller: d0), "block dom0").1
  var ids: [VCPUID] = []
  for (i, w) in weights.enumerated() {
    let d = DomID(UInt16(i + 1))
    s = must(s.domainCreate(caller: d0, domain: d, maxPages: 0, vcpus: 1), "create").1
    s = must(s.setWeight(caller: d0, target: d, weight: w), "weight").1
    s = must(s.setCap(caller: d0, target: d, cap: caps[i]), "cap").1
    ids.append(VCPUID(d, 0))
  }
  for v in ids { s = must(s.domainUnpause(caller: d0, target: v.domain), "unpause").1 }
  var ran = Array(repeating: 0, count: ids.count)
  var wait = Array(repeating: 0, count: ids.count)
  var maxWait = Array(repeating: 0, count: ids.count)
  var violations: [Violation] = []
  for t in 0..<ticks {
    for (i, v) in ids.enumerated() {
      if s.pcpu(of: v) != nil {
        ran[i] += 1
        wait[i] = 0
      } else if !s.vcpus[v]!.parked {
        wait[i] += 1
        maxWait[i] = max(maxWait[i], wait[i])
      } else {
        wait[i] = 0
      }
    }
    s = s.tick().state
    if checkEvery > 0 && t % checkEvery == 0 { violations += checkAllInvariants(s) }
  }
  let total = Double(ticks * pcpus)
  return FairnessReport(
    weights: weights, caps: caps, shares: ran.map { Double($0) / total },
    targets: targetShares(weights: weights, caps: caps, pcpus: pcpus), ticksRun: ran,
    maxWait: maxWait, violations: violations)
}
