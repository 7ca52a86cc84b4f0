// creditAfterTick_* / creditAfterAccounting_* / priority* / capBudget*: Core's scheduler
// arithmetic equals the Spec's (Spec/Scheduler.swift `tick`, `accountStep`) computed on
// mathematical integers, so the 64-bit code never overflows, and its results stay in bounds.
//
// "Mathematical" = 72-bit: every input is at most 2^61 in magnitude, so no 72-bit operation
// below can wrap, and agreement with the sign-extended 64-bit result rules out 64-bit overflow.

import BulkheadCore
import Z3Kit

private let wide: UInt32 = 72
private let limit: UInt64 = 1 << 61

/// A signed 64-bit input with |x| <= 2^61.
private func bounded(_ x: BV) -> Z3Bool { (-BV(constant: limit)).sle(x) && x.sle(BV(constant: limit)) }
private func nonNegativeBounded(_ x: BV) -> Z3Bool { BV(constant: 0).sle(x) && x.sle(BV(constant: limit)) }
private func w(_ x: BV) -> BV { x.signExtended(to: wide) }

struct CreditInputs {
  let credit = BV("credit")
  let perTick = BV("creditsPerTick")
  let earned = BV("earned")
  let bound = BV("creditBound")
  let priority = BV("priority")
  let cap = BV("cap")
  let capBudget = BV("capBudget")
  let full = BV("full")
  let parked = Z3Bool("parked")

  /// The Spec's invariants and configuration ranges on the inputs.
  var hypotheses: [Z3Bool] {
    [
      nonNegativeBounded(bound), nonNegativeBounded(perTick), nonNegativeBounded(earned),
      (-bound).sle(credit), credit.sle(bound),  // creditBounds
      priority .>= DecisionPriority.over, priority .<= DecisionPriority.boost,  // never idle
      cap .<= 100, bounded(capBudget), nonNegativeBounded(full),
    ]
  }

  var witnesses: [Witness] {
    [
      .word("credit", credit), .word("creditsPerTick", perTick), .word("earned", earned),
      .word("creditBound", bound), .word("priority", priority), .word("cap", cap),
      .word("capBudget", capBudget), .word("full", full), .flag("parked", parked),
    ]
  }

  // The Spec's formulas, on wide integers.

  /// `max(credit - creditsPerTick, -creditBound)`.
  var specCreditAfterTick: BV { BV.smax(w(credit) &- w(perTick), -w(bound)) }
  /// `min(max(credit + earned, -bound), bound)`.
  var specCreditAfterAccounting: BV { BV.smin(BV.smax(w(credit) &+ w(earned), -w(bound)), w(bound)) }
  /// `if priority == .boost || credit < 0 { priority = credit >= 0 ? .under : .over }`.
  func specPriorityAfterTick(newCredit c: BV) -> BV {
    let negative = c.slt(BV(constant: 0))
    return BV.ite(
      priority .== DecisionPriority.boost || negative,
      BV.ite(!negative, BV(constant: DecisionPriority.under), BV(constant: DecisionPriority.over)), priority)
  }
  /// `if cap > 0 { capBudget -= 100 }`.
  var specCapBudgetAfterTick: BV { BV.ite(cap .> 0, w(capBudget) &- w(BV(constant: 100)), w(capBudget)) }
  /// `if cap > 0 { if capBudget <= 0 { parked = true } }` on the new budget.
  func specParkedAfterTick(newBudget b: BV) -> Z3Bool { Z3Bool.ite(cap .> 0, parked || b.sle(BV(constant: 0)), parked) }
  /// `where cap > 0 { capBudget = min(capBudget + full, full) }`.
  var specCapBudgetAfterAccounting: BV {
    BV.ite(cap .> 0, BV.smin(w(capBudget) &+ w(full), w(full)), w(capBudget))
  }
}

// Deliberately weakened variants: each must be refuted.

/// No clamp at -creditBound.
func creditAfterTickUnclamped<W: DecisionWord>(credit: W, creditsPerTick: W, creditBound: W) -> W {
  credit &- creditsPerTick
}
/// Clamped below only.
func creditAfterAccountingNoCeiling<W: DecisionWord>(credit: W, earned: W, creditBound: W) -> W {
  W.signedMax(credit &+ earned, W.k(0) &- creditBound)
}
/// Unsigned instead of signed comparison (a classic: credits are negative).
func creditAfterTickUnsignedClamp<W: DecisionWord>(credit: W, creditsPerTick: W, creditBound: W) -> W {
  let a = credit &- creditsPerTick
  let b = W.k(0) &- creditBound
  return W.select(a .< b, b, a)
}

private func creditGoal(_ claim: @escaping @Sendable (CreditInputs) -> Z3Bool) -> @Sendable () -> Goal {
  {
    let i = CreditInputs()
    return Goal(claim: claim(i), hypotheses: i.hypotheses, witnesses: i.witnesses)
  }
}

private func tick(_ i: CreditInputs) -> BV {
  creditAfterTick(credit: SymWord(i.credit), creditsPerTick: SymWord(i.perTick), creditBound: SymWord(i.bound)).z
}
private func accounting(_ i: CreditInputs) -> BV {
  creditAfterAccounting(credit: SymWord(i.credit), earned: SymWord(i.earned), creditBound: SymWord(i.bound)).z
}
private func inBounds(_ c: BV, _ i: CreditInputs) -> Z3Bool { (-i.bound).sle(c) && c.sle(i.bound) }

let creditObligations: [Obligation] = [
  Obligation(
    "creditAfterTick_agreesWithSpec",
    mutants: [
      Mutant("unsignedClamp", goal: creditGoal { i in
        w(creditAfterTickUnsignedClamp(
          credit: SymWord(i.credit), creditsPerTick: SymWord(i.perTick), creditBound: SymWord(i.bound)).z)
          .== i.specCreditAfterTick
      })
    ],
    goal: creditGoal { i in w(tick(i)) .== i.specCreditAfterTick }),
  Obligation(
    "creditAfterTick_creditBounds",
    mutants: [
      Mutant("unclamped", goal: creditGoal { i in
        inBounds(
          creditAfterTickUnclamped(
            credit: SymWord(i.credit), creditsPerTick: SymWord(i.perTick), creditBound: SymWord(i.bound)).z, i)
      })
    ],
    goal: creditGoal { i in inBounds(tick(i), i) }),
  Obligation(
    "creditAfterAccounting_agreesWithSpec",
    mutants: [
      Mutant("noCeiling", goal: creditGoal { i in
        w(creditAfterAccountingNoCeiling(credit: SymWord(i.credit), earned: SymWord(i.earned), creditBound: SymWord(i.bound)).z)
          .== i.specCreditAfterAccounting
      })
    ],
    goal: creditGoal { i in w(accounting(i)) .== i.specCreditAfterAccounting }),
  Obligation(
    "creditAfterAccounting_creditBounds",
    mutants: [
      Mutant("noCeiling", goal: creditGoal { i in
        inBounds(
          creditAfterAccountingNoCeiling(credit: SymWord(i.credit), earned: SymWord(i.earned), creditBound: SymWord(i.bound)).z, i)
      })
    ],
    goal: creditGoal { i in inBounds(accounting(i), i) }),
  Obligation(
    "priorityAfterTick_agreesWithSpec",
    mutants: [
      // BOOST kept forever: a woken vCPU would starve everyone.
      Mutant("boostKept", goal: creditGoal { i in
        let c = tick(i)
        let keep = priorityAfterTick(priority: SymWord(i.priority), credit: SymWord(c)).z
        let mutant = BV.ite(i.priority .== DecisionPriority.boost, i.priority, keep)
        return mutant .== i.specPriorityAfterTick(newCredit: c)
      })
    ],
    goal: creditGoal { i in
      let c = tick(i)
      return priorityAfterTick(priority: SymWord(i.priority), credit: SymWord(c)).z
        .== i.specPriorityAfterTick(newCredit: c)
        && priorityAfterAccounting(credit: SymWord(c)).z
          .== BV.ite(c.slt(BV(constant: 0)), BV(constant: DecisionPriority.over), BV(constant: DecisionPriority.under))
    }),
  Obligation(
    "capBudgetAfterTick_capRespected",
    mutants: [
      // The budget is charged but the vCPU is never parked.
      Mutant("neverParked", goal: creditGoal { i in
        let b = capBudgetAfterTick(capBudget: SymWord(i.capBudget), cap: SymWord(i.cap)).z
        return i.parked.iff(i.specParkedAfterTick(newBudget: b))
      })
    ],
    goal: creditGoal { i in
      let b = capBudgetAfterTick(capBudget: SymWord(i.capBudget), cap: SymWord(i.cap)).z
      let p = parkedAfterTick(parked: SymBool(i.parked), capBudget: SymWord(b), cap: SymWord(i.cap)).z
      return w(b) .== i.specCapBudgetAfterTick && p.iff(i.specParkedAfterTick(newBudget: b))
    }),
  Obligation(
    "capBudgetAfterAccounting_capRespected",
    mutants: [
      // Refill without the ceiling: unused budget accumulates past one period's cap.
      Mutant("noCeiling", goal: creditGoal { i in
        let b = BV.ite(i.cap .!= 0, i.capBudget &+ i.full, i.capBudget)
        return BV.ite(i.cap .!= 0, b, i.full).sle(i.full)
      })
    ],
    goal: creditGoal { i in
      let b = capBudgetAfterAccounting(capBudget: SymWord(i.capBudget), cap: SymWord(i.cap), full: SymWord(i.full)).z
      let p = parkedAfterAccounting(parked: SymBool(i.parked), capBudget: SymWord(b), cap: SymWord(i.cap)).z
      return w(b) .== i.specCapBudgetAfterAccounting
        && (i.cap .!= 0).implies(b.sle(i.full) && p.iff(b.sle(BV(constant: 0))))
        && (i.cap .== 0).implies(p.iff(i.parked))
    }),
  // Division: Z3 bit-blasts `bvudiv` into a large circuit, and a 128-bit division of the Spec's
  // formula times out. So these state agreement as (1) the product does not wrap (multiplication
  // only, checked on 128 bits), and (2) the result IS the 64-bit unsigned division of that
  // product (the same term: Z3 sees it at once). With an exact product and a non-zero divisor,
  // `bvudiv` is floor division, i.e. the Spec's `/` on integers.
  Obligation(
    "creditLimit_agreesWithSpec",
    mutants: [
      // Multiplying in 32 bits (a C `int` habit): wraps for large creditsPerAccount.
      Mutant("product32", goal: shareGoal { i in
        i.limitInRange.implies(zext((i.cap &* i.perAccount) & 0xFFFF_FFFF) .== zext(i.cap) &* zext(i.perAccount))
      })
    ],
    goal: shareGoal { i in
      let l = creditLimit(cap: SymWord(i.cap), creditsPerAccount: SymWord(i.perAccount)).z
      let product = i.cap &* i.perAccount
      return i.limitInRange.implies(
        zext(product) .== zext(i.cap) &* zext(i.perAccount)
          && l .== BV.ite(i.cap .== 0, i.perAccount, product / BV(constant: 100)))
    }),
  Obligation(
    "creditShare_agreesWithSpec",
    mutants: [
      Mutant("product32", goal: shareGoal { i in
        zext((i.left &* i.weight) & 0xFFFF_FFFF) .== zext(i.left) &* zext(i.weight)
      })
    ],
    goal: shareGoal { i in
      let x = creditShare(left: SymWord(i.left), weight: SymWord(i.weight), sum: SymWord(i.sum)).z
      let product = i.left &* i.weight
      return zext(product) .== zext(i.left) &* zext(i.weight) && i.sum .!= 0 && x .== product / i.sum
    }),
]

/// Inputs of one water-filling round, with the configuration's and the Spec's ranges.
struct ShareInputs {
  let left = BV("left")
  let weight = BV("weight")
  let sum = BV("sum")
  let cap = BV("cap")
  let perAccount = BV("creditsPerAccount")

  var hypotheses: [Z3Bool] {
    [left .<= 1 << 41, weight .>= 1, weight .<= 65535, weight .<= sum, sum .<= 1 << 40]
  }
  /// `cap` and `creditsPerAccount` in `SchedulerConfig.isValid`'s ranges.
  var limitInRange: Z3Bool { cap .<= 100 && perAccount .<= 1 << 30 }
  var witnesses: [Witness] {
    [.word("left", left), .word("weight", weight), .word("sum", sum), .word("cap", cap), .word("creditsPerAccount", perAccount)]
  }
}

private func zext(_ x: BV) -> BV { x.zeroExtended(to: 128) }

private func shareGoal(_ claim: @escaping @Sendable (ShareInputs) -> Z3Bool) -> @Sendable () -> Goal {
  {
    let i = ShareInputs()
    return Goal(claim: claim(i), hypotheses: i.hypotheses, witnesses: i.witnesses)
  }
}
