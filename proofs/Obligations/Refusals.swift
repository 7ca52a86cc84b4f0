// Refusals: the symbolic form of a Spec transition's `guard ... else { throw e }` sequence.
//
// The Spec checks conditions in order and throws the first errno. Symbolically, each check is a
// (failure condition, errno) pair under the path condition of the branch it sits in; the result
// is the errno of the first failing pair, or 0. `when(c) { ... }` is the Spec's `if c { ... }`.
// Writing the symbolic rules with this helper keeps them line-by-line parallel to Spec/*.swift.

import BulkheadCore
import Z3Kit

struct Refusals {
  private var checks: [(fails: Z3Bool, errno: UInt64)] = []
  private var path: [Z3Bool] = []

  /// `guard ok else { throw errno }`.
  mutating func `guard`(_ ok: Z3Bool, _ errno: UInt64) {
    checks.append((all(path + [!ok]), errno))
  }

  /// `if bad { throw errno }`.
  mutating func throwIf(_ bad: Z3Bool, _ errno: UInt64) {
    checks.append((all(path + [bad]), errno))
  }

  /// `if cond { body }`: the checks in `body` apply only when `cond` holds.
  mutating func when(_ cond: Z3Bool, _ body: (inout Refusals) -> Void) {
    path.append(cond)
    body(&self)
    path.removeLast()
  }

  /// Constraints on a transition's free choices (which free port, which vCPU a pCPU picks): the
  /// symbolic step covers every choice satisfying them, the Spec's own choice among them.
  private(set) var assumptions: [Z3Bool] = []

  /// The same constraints as bodies `∀x. body(x)`, for goals that instantiate them at ground terms.
  private(set) var assumptionBodies: [(BV) -> Z3Bool] = []

  /// The transition chooses freely among values satisfying `c`.
  mutating func assume(_ c: Z3Bool) { assumptions.append(c) }

  /// `assume(c)` for a constraint without a bound variable that ground goals must also see:
  /// stored as a body that ignores its argument (so it is instantiated as `c` itself).
  mutating func assumeGround(_ c: Z3Bool) {
    assumptions.append(c)
    assumptionBodies.append { _ in c }
    groundAssumptions.append(c)
  }

  /// The `assumeGround` constraints alone.
  private(set) var groundAssumptions: [Z3Bool] = []

  /// The transition chooses freely among values satisfying `∀x. body(x)` (x named `name`).
  mutating func assumeForAll(_ name: String, _ body: @escaping (BV) -> Z3Bool) {
    let x = BV(name)
    assumptions.append(forall([x], body(x)))
    assumptionBodies.append(body)
  }

  /// Constraints a loop's exit puts on a transition's choices (the Spec's reschedule loops stop
  /// only when no queued vCPU outranks a running one), each under the path condition of the
  /// `when` it sits in (the loop exits only where the step reaches it): a ground part and bodies
  /// `∀p. atP(p)` over pCPUs and `∀v. atV(v)` over vCPUs, so a ground goal instantiates each at
  /// the points that need it. Kept apart from `assumptionBodies`: only goals about what the
  /// loop establishes (boundedWait) assume them; the others leave them out (fewer constraints on
  /// the choices, more behaviours: still a proof, and the goal stays as cheap as it was).
  private(set) var loopExitGround: [Z3Bool] = []
  private(set) var loopExitAtP: [(BV) -> Z3Bool] = []
  private(set) var loopExitAtV: [(BV) -> Z3Bool] = []
  /// The paths (the conditions of the enclosing `when`s, outermost first) on which the loops
  /// run, so a goal can split on them.
  private(set) var loopPaths: [[Z3Bool]] = []

  /// The transition's choices satisfy `ground ∧ ∀p. atP(p) ∧ ∀v. atV(v)` whenever the
  /// current path is taken.
  mutating func assumeAtLoopExit(ground: Z3Bool, atP: @escaping (BV) -> Z3Bool, atV: @escaping (BV) -> Z3Bool) {
    let reached = all(path)
    loopPaths.append(path)
    loopExitGround.append(reached.implies(ground))
    loopExitAtP.append { p in reached.implies(atP(p)) }
    loopExitAtV.append { v in reached.implies(atV(v)) }
  }

  /// Whether some check fails.
  var refused: Z3Bool { any(checks.map(\.fails)) }

  /// The errno of the first failing check, or 0 (as a 64-bit word).
  var errno: BV {
    checks.reversed().reduce(BV(constant: 0)) { rest, c in BV.ite(c.fails, BV(constant: c.errno), rest) }
  }
}
