// Sanity obligations: facts about Z3Kit itself, so a broken lowering shows up before any real proof.

import Z3Kit

let sanityObligations: [Obligation] = [
  // x ^ x == 0 for every 64-bit x; the mutant claims x & x == 0, which x = 1 refutes.
  Obligation(
    "z3kit_xorSelfIsZero",
    mutants: [
      Mutant("andSelf") {
        let x = BV("x")
        return Goal(claim: (x & x) .== 0, witnesses: [.word("x", x)])
      }
    ]
  ) {
    let x = BV("x")
    return Goal(claim: (x ^ x) .== 0, witnesses: [.word("x", x)])
  }
]
