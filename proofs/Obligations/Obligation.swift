// Obligation: one named proof goal `<operation>_<invariant>` and the mutants that show it is not
// vacuous. `runAllObligations` is the single runner used by `bulkhead prove` and by ProofTests.

import Dispatch
import Z3Kit
#if canImport(Glibc)
import Glibc
#endif

/// What an obligation asks Z3: `hypotheses ⇒ claim`, and which terms to show if it fails.
public struct Goal {
  public var claim: Z3Bool
  public var hypotheses: [Z3Bool]
  public var witnesses: [Witness]
  /// The SMT-LIB logic of a quantifier-free goal ("QF_UFBV"), for Z3's solver for it.
  public var logic: String?
  /// A goal proved by cases: each is its own Z3 check, and the goal holds iff every case does.
  /// The cases' extra hypotheses must cover every state (the builder enumerates a partition).
  /// Empty: the goal is this one check.
  public var cases: [Goal] = []

  public init(claim: Z3Bool, hypotheses: [Z3Bool] = [], witnesses: [Witness] = [], logic: String? = nil) {
    self.claim = claim
    self.hypotheses = hypotheses
    self.witnesses = witnesses
    self.logic = logic
  }

  /// The conjunction of `cases`, checked one by one (Z3 bit-blasts each case's arithmetic with
  /// its branches already decided, where one goal with every branch open can take minutes).
  /// A case that is itself by cases contributes its cases (the runner checks one level: an
  /// unflattened one would be its placeholder claim `true`, proved without a look at its cases).
  public static func byCases(_ cases: [Goal]) -> Goal {
    var g = Goal(claim: .true)
    g.cases = cases.flatMap { $0.cases.isEmpty ? [$0] : $0.cases }
    return g
  }
}

/// A proof goal plus its deliberately weakened variants.
public struct Obligation: Sendable {
  /// `<operation>_<invariant>`, e.g. `mmuUpdate_typeSafety`, `pteCheck_agreesWithSpec`.
  public let name: String
  /// Builds the goal. Called on the checking thread; terms are never shared between obligations.
  public let goal: @Sendable () -> Goal
  /// Weakened checks; each must be *refuted*, or the obligation proves nothing.
  public let mutants: [Mutant]

  public init(_ name: String, mutants: [Mutant] = [], goal: @escaping @Sendable () -> Goal) {
    self.name = name
    self.goal = goal
    self.mutants = mutants
  }
}

/// A test-only weakening of an obligation's check (a dropped condition, an off-by-one).
public struct Mutant: Sendable {
  public let name: String
  public let goal: @Sendable () -> Goal

  public init(_ name: String, goal: @escaping @Sendable () -> Goal) {
    self.name = name
    self.goal = goal
  }
}

/// The verdict on one obligation or mutant.
public struct ObligationResult: Sendable {
  public enum Status: Equatable, Sendable {
    /// Z3 proved the goal.
    case proved
    /// Z3 found a counterexample.
    case refuted([WitnessValue])
    /// Z3 gave up.
    case unknown(String)
  }

  /// Obligation name, or `<obligation>/<mutant>` for a mutant.
  public let name: String
  /// True for a mutant, whose expected status is `.refuted`.
  public let isMutant: Bool
  public let status: Status
  public let seconds: Double
  /// Z3's resource count for the check (machine-independent; the limit is `obligationRlimit`).
  public let resources: UInt64

  /// Whether this is the expected verdict: proved for an obligation, refuted for a mutant.
  public var passed: Bool {
    switch status {
    case .proved: return !isMutant
    case .refuted: return isMutant
    case .unknown: return false
    }
  }
}

/// Per-check Z3 resource limit ("rlimit" units). This, not wall time, decides when Z3 gives up,
/// so a loaded CI machine gets the same verdicts as an idle one. The slowest default obligation
/// uses about 37 % of it (36.5 M, mmuUpdate_referenceIndex; `bulkhead prove` prints each check's count). On this
/// machine Z3 spends roughly 1-2.5 M units per second, so the limit is 40-100 s of work.
let obligationRlimit: UInt32 = 100_000_000
/// `obligationRlimit`, for reports.
public var obligationRlimitLimit: UInt64 { UInt64(obligationRlimit) }
/// Wall-clock backstop per check, far above what the resource limit allows on this machine.
let obligationTimeoutMs: UInt32 = 300_000

func check(_ name: String, isMutant: Bool, _ goal: () -> Goal) -> ObligationResult {
  let start = DispatchTime.now().uptimeNanoseconds
  let g = goal()
  var outcome = ProofOutcome.proved
  var resources: UInt64 = 0
  // A goal by cases shares one budget: the obligation as a whole must finish within it.
  for (n, c) in g.cases.enumerated() { dumpIfAsked("\(name).case\(n)", c) }
  if g.cases.isEmpty { dumpIfAsked(name, g) }
  for (n, c) in (g.cases.isEmpty ? [g] : g.cases).enumerated() {
    let spent = UInt32((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
    guard spent < obligationTimeoutMs, resources < UInt64(obligationRlimit) else {
      outcome = .unknown("resource limit or timeout (case \(n))")
      break
    }
    let (o, used) = proveMeasured(
      c.claim, assuming: c.hypotheses, witnesses: c.witnesses, timeoutMs: obligationTimeoutMs - spent,
      rlimit: obligationRlimit - UInt32(resources), logic: c.logic)
    outcome = o
    resources += used
    if outcome != .proved { break }
  }
  let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  let status: ObligationResult.Status
  switch outcome {
  case .proved: status = .proved
  case .refuted(let cex): status = .refuted(cex)
  case .unknown(let why): status = .unknown(why)
  }
  return ObligationResult(name: name, isMutant: isMutant, status: status, seconds: seconds, resources: resources)
}

/// With `BULKHEAD_PROOFS_DUMP=DIR`, writes each goal as `DIR/<name>.smt2` (hypotheses, negated
/// claim, the logic's check) to time or bisect it with the `z3` command line.
private func dumpIfAsked(_ name: String, _ g: Goal) {
  guard let dir = getenv("BULKHEAD_PROOFS_DUMP").map({ String(cString: $0) }) else { return }
  let solver = Solver(timeoutMs: 0)
  for h in g.hypotheses { solver.assert(h) }
  solver.assert(!g.claim)
  let core = g.logic == Solver.smtCore
  let head = core ? "" : g.logic.map { "(set-option :rewriter.som true)\n(set-logic \($0))\n" } ?? ""
  let path = dir + "/" + name.replacingSlashes + ".smt2"
  guard let f = fopen(path, "w") else { return }
  fputs(head + solver.smtlib + (core ? "(check-sat-using smt)\n" : "(check-sat)\n"), f)
  fclose(f)
}

private extension String {
  var replacingSlashes: String { String(map { $0 == "/" ? "." : $0 }) }
}

/// Every obligation, in a stable order.
///
/// With `BULKHEAD_PROOFS_SLOW=1` in the environment, also the slow ones (`slowObligations`).
public func allObligations() -> [Obligation] {
  let slow = getenv("BULKHEAD_PROOFS_SLOW").map { String(cString: $0) == "1" } ?? false
  return sanityObligations + decisionObligations + specObligations + xsaObligations + (slow ? slowObligations : [])
}

/// Runs every obligation whose name is `only` (or has it as its `<operation>_` prefix or its
/// `_<invariant>` suffix), or all.
public func runAllObligations(only: String?) -> [ObligationResult] {
  runAllObligations(only: only, mutants: false)
}

/// The obligations whose name is `only`, has it as its `<operation>_` prefix or its
/// `_<invariant>` suffix, or all.
private func selectedObligations(only: String?) -> [Obligation] {
  allObligations().filter { o in
    only.map { o.name == $0 || o.name.hasPrefix($0 + "_") || o.name.hasSuffix("_" + $0) } ?? true
  }
}

/// `work(i)` for every i below `count`, on `threads` threads (one Z3 context each), results in
/// index order.
private func concurrentMap<T: Sendable>(count: Int, threads: Int, _ work: @Sendable (Int) -> T) -> [T] {
  let results = ResultBox<T>(count: count)
  let next = Counter()
  DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
    while let i = next.take(below: count) { results.set(i, work(i)) }
  }
  return results.values()
}

/// Runs the selected obligations and, with `mutants`, each of their mutants; two threads.
public func runAllObligations(only: String?, mutants: Bool, threads: Int = 2) -> [ObligationResult] {
  var queue: [(String, Bool, @Sendable () -> Goal)] = []
  for o in selectedObligations(only: only) {
    queue.append((o.name, false, o.goal))
    if mutants { for m in o.mutants { queue.append((o.name + "/" + m.name, true, m.goal)) } }
  }
  let jobs = queue
  return concurrentMap(count: jobs.count, threads: threads) { i in
    let (name, isMutant, goal) = jobs[i]
    return check(name, isMutant: isMutant, goal)
  }
}

/// A shared work index for the runner's threads.
private final class Counter: @unchecked Sendable {
  private var value = 0
  private let lock = NSLockLike()
  func take(below n: Int) -> Int? {
    lock.withLock {
      guard value < n else { return nil }
      defer { value += 1 }
      return value
    }
  }
}

/// Results written by index from the runner's threads.
private final class ResultBox<T>: @unchecked Sendable {
  private var slots: [T?]
  private let lock = NSLockLike()
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ r: T) { lock.withLock { slots[i] = r } }
  func values() -> [T] { lock.withLock { slots.compactMap { $0 } } }
}

/// A mutex without Foundation (a serial dispatch queue).
private final class NSLockLike: @unchecked Sendable {
  private let queue = DispatchQueue(label: "bulkhead.proofs.lock")
  func withLock<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
}

// MARK: vacuity

/// How many of an obligation's cases have satisfiable hypotheses. A proof from contradictory
/// hypotheses proves nothing, and a mutant does not catch that: it is checked in its own (small)
/// state with its own hypotheses. Infeasible cases are normal in a partition (an impossible
/// combination of entry kinds); an obligation none of whose cases is feasible is vacuous.
public struct VacuityResult: Sendable {
  public let name: String
  public let cases: Int
  public let feasible: Int
  public let unknown: Int
  /// Every case's hypotheses are contradictory: the obligation proves nothing.
  public var vacuous: Bool { feasible == 0 && unknown == 0 }
}

/// Checks, for the selected obligations, that their hypotheses have a model (case by case, the
/// claim replaced by `false`: a counterexample is a model). Resource limit per case: 20 M.
public func runVacuityChecks(only: String?, threads: Int = 2) -> [VacuityResult] {
  let selected = selectedObligations(only: only)
  return concurrentMap(count: selected.count, threads: threads) { i in
    let g = selected[i].goal()
    let cases = g.cases.isEmpty ? [g] : g.cases
    var feasible = 0, unknown = 0
    for c in cases {
      let (o, _) = proveMeasured(
        .false, assuming: c.hypotheses, witnesses: [], timeoutMs: obligationTimeoutMs, rlimit: 20_000_000, logic: c.logic)
      switch o {
      case .refuted: feasible += 1
      case .unknown: unknown += 1
      case .proved: break
      }
    }
    return VacuityResult(name: selected[i].name, cases: cases.count, feasible: feasible, unknown: unknown)
  }
}
