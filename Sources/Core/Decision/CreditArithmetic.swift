// Credit-scheduler arithmetic (Spec/Scheduler.swift `tick` and `accountStep`).
//
// Credits and cap budgets are SIGNED 64-bit values carried in a word (two's complement).
// Priorities use the Spec's raw values: idle 0, over 1, under 2, boost 3.
// The proofs (creditAfterTick_agreesWithSpec, ...) show, under the stated preconditions, that
// no operation overflows (the 64-bit result equals the mathematical one) and that results stay
// within `-creditBound...creditBound` (creditBounds) and `...full` (capRespected).

/// Priority encodings (Spec `Priority.rawValue`).
public enum DecisionPriority {
  public static let idle: UInt64 = 0
  public static let over: UInt64 = 1
  public static let under: UInt64 = 2
  public static let boost: UInt64 = 3
}

/// A running vCPU's credit after one tick: `max(credit - creditsPerTick, -creditBound)`.
///
/// Preconditions (Spec invariants): `-creditBound <= credit <= creditBound`,
/// `0 <= creditsPerTick, creditBound <= 2^61`.
@inline(__always)
public func creditAfterTick<W: DecisionWord>(credit: W, creditsPerTick: W, creditBound: W) -> W {
  W.signedMax(credit &- creditsPerTick, W.k(0) &- creditBound)
}

/// A running vCPU's priority after a tick, given its NEW credit: BOOST is lost, and a negative
/// balance means OVER (`if priority == .boost || credit < 0 { priority = credit >= 0 ? ... }`).
@inline(__always)
public func priorityAfterTick<W: DecisionWord>(priority: W, credit: W) -> W {
  let negative = W.signedLess(credit, W.k(0))
  let recompute = (priority .== W.k(DecisionPriority.boost)) .| negative
  return W.select(
    recompute, W.select(negative, W.k(DecisionPriority.over), W.k(DecisionPriority.under)), priority)
}

/// An active vCPU's credit after accounting: `min(max(credit + earned, -bound), bound)`.
///
/// Preconditions: `-creditBound <= credit <= creditBound`, `0 <= earned, creditBound <= 2^61`.
@inline(__always)
public func creditAfterAccounting<W: DecisionWord>(credit: W, earned: W, creditBound: W) -> W {
  W.signedMin(W.signedMax(credit &+ earned, W.k(0) &- creditBound), creditBound)
}

/// An active vCPU's priority after accounting: UNDER if credit >= 0, else OVER.
@inline(__always)
public func priorityAfterAccounting<W: DecisionWord>(credit: W) -> W {
  W.select(W.signedLess(credit, W.k(0)), W.k(DecisionPriority.over), W.k(DecisionPriority.under))
}

/// A running vCPU's cap budget after a tick: capped vCPUs pay 100 percent-ticks.
/// Precondition: `-2^61 <= capBudget <= 2^61`.
@inline(__always)
public func capBudgetAfterTick<W: DecisionWord>(capBudget: W, cap: W) -> W {
  W.select(cap .!= W.k(0), capBudget &- W.k(100), capBudget)
}

/// Whether a vCPU is parked after a tick (given its NEW budget): a capped vCPU whose budget is
/// used up is parked until accounting refills it.
@inline(__always)
public func parkedAfterTick<W: DecisionWord>(parked: W.Condition, capBudget: W, cap: W) -> W.Condition {
  parked .| ((cap .!= W.k(0)) .& .!W.signedLess(W.k(0), capBudget))
}

/// A capped vCPU's budget after accounting: `min(capBudget + full, full)` where
/// `full = cap * ticksPerAccount`; uncapped budgets are unchanged.
/// Preconditions: `-2^61 <= capBudget <= 2^61`, `0 <= full <= 2^61`.
@inline(__always)
public func capBudgetAfterAccounting<W: DecisionWord>(capBudget: W, cap: W, full: W) -> W {
  W.select(cap .!= W.k(0), W.signedMin(capBudget &+ full, full), capBudget)
}

/// Whether a vCPU is parked after accounting (given its NEW budget).
@inline(__always)
public func parkedAfterAccounting<W: DecisionWord>(parked: W.Condition, capBudget: W, cap: W) -> W.Condition {
  ((cap .!= W.k(0)) .& .!W.signedLess(W.k(0), capBudget)) .| ((cap .== W.k(0)) .& parked)
}

/// The most a vCPU can earn in one accounting period (Spec `creditLimit`): one pCPU's worth,
/// `creditsPerAccount`, or its cap's worth, `cap * creditsPerAccount / 100`.
/// Preconditions: `cap <= 100`, `creditsPerAccount <= 2^30` (`SchedulerConfig.isValid`).
@inline(__always)
public func creditLimit<W: DecisionWord>(cap: W, creditsPerAccount: W) -> W {
  W.select(cap .== W.k(0), creditsPerAccount, W.unsignedDivide(cap &* creditsPerAccount, W.k(100)))
}

/// What a vCPU of `weight` earns in one water-filling round of accounting (Spec `earnings`):
/// its weighted part `left * weight / sum` of the `left` credits still to hand out, rounded down
/// (the remainder is lost, as in Xen). Preconditions: `left <= 2^41` (`creditsPerAccount * pcpus`),
/// `1 <= weight <= 65535`, `weight <= sum`.
@inline(__always)
public func creditShare<W: DecisionWord>(left: W, weight: W, sum: W) -> W {
  W.unsignedDivide(left &* weight, sum)
}
