// prove: the one entry point obligations use. Asserts the hypotheses and the negated claim in a
// fresh context; unsat means proved, sat yields a concrete counterexample.

/// A named term whose value a counterexample reports.
public enum Witness: @unchecked Sendable {
  case word(String, BV)
  case flag(String, Z3Bool)
}

/// A concrete value of one witness in a counterexample (flags are 0 or 1).
public struct WitnessValue: Equatable, Sendable, CustomStringConvertible {
  public let name: String
  public let value: UInt64
  public var description: String { "\(name)=0x\(String(value, radix: 16))" }

  public init(name: String, value: UInt64) {
    self.name = name
    self.value = value
  }
}

/// The outcome of `prove`.
public enum ProofOutcome: Equatable, Sendable {
  /// The negated claim is unsatisfiable under the hypotheses.
  case proved
  /// Z3 found an assignment making the hypotheses true and the claim false.
  case refuted([WitnessValue])
  /// Z3 could not decide (timeout or incompleteness).
  case unknown(String)
}

/// Proves `hypotheses ⇒ claim` for all values of the free constants.
///
/// On refutation, evaluates `witnesses` in Z3's model; the context is gone when this returns.
public func prove(
  _ claim: Z3Bool, assuming hypotheses: [Z3Bool] = [], witnesses: [Witness] = [],
  timeoutMs: UInt32 = 30_000, logic: String? = nil
) -> ProofOutcome {
  proveMeasured(claim, assuming: hypotheses, witnesses: witnesses, timeoutMs: timeoutMs, logic: logic).outcome
}

/// `prove`, with a resource limit (`rlimit`, 0 = none) and the resources the check used.
public func proveMeasured(
  _ claim: Z3Bool, assuming hypotheses: [Z3Bool] = [], witnesses: [Witness] = [],
  timeoutMs: UInt32 = 30_000, rlimit: UInt32 = 0, logic: String? = nil
) -> (outcome: ProofOutcome, resources: UInt64) {
  let solver = Solver(timeoutMs: timeoutMs, rlimit: rlimit, logic: logic)
  for h in hypotheses { solver.assert(h) }
  solver.assert(!claim)
  let result = solver.check()
  let used = solver.resourcesUsed
  switch result {
  case .unsat:
    return (.proved, used)
  case .unknown(let why):
    return (.unknown(why), used)
  case .sat:
    let values = witnesses.map { w -> WitnessValue in
      switch w {
      case .word(let name, let bv): return WitnessValue(name: name, value: solver.value(of: bv) ?? 0)
      case .flag(let name, let b): return WitnessValue(name: name, value: (solver.value(of: b) ?? false) ? 1 : 0)
      }
    }
    return (.refuted(values), used)
  }
}
