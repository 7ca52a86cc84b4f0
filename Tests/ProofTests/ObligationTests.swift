// ObligationTests: every obligation is proved and every mutant is refuted.

import BulkheadProofs
import Testing
import Z3Kit

@Suite struct ObligationTests {
  @Test func z3KitFindsCounterexamples() {
    let x = BV("x", width: 8)
    let outcome = prove((x &+ 1) .> x, witnesses: [.word("x", x)])
    #expect(outcome == .refuted([WitnessValue(name: "x", value: 0xff)]))
  }

  @Test func z3KitProvesSimpleFacts() {
    let x = BV("x")
    let a = BVArray("a")
    #expect(prove(a.store(x, x.constant(7))[x] .== 7) == .proved)
    #expect(prove(forall([x], (x | 0) .== x)) == .proved)
  }

  /// The runner checks one level of cases: a case by cases must contribute its own, or it would
  /// be its placeholder claim `true` (this once made a mutant survive).
  @Test func casesOfCasesAreFlattened() {
    let inner = Goal.byCases([Goal(claim: .false), Goal(claim: .true)])
    let outer = Goal.byCases([inner, Goal(claim: .true)])
    #expect(outer.cases.count == 3)
    #expect(outer.cases.allSatisfy { $0.cases.isEmpty })
  }

  @Test func allObligationsAreProvedAndAllMutantsRefuted() {
    let results = runAllObligations(only: nil, mutants: true)
    #expect(!results.isEmpty)
    for r in results {
      #expect(r.passed, "\(r.name): \(r.status)")
    }
    let obligations = allObligations()
    #expect(obligations.allSatisfy { !$0.mutants.isEmpty }, "every obligation has a mutant")
    #expect(Set(obligations.map(\.name)).count == obligations.count, "obligation names are unique")
  }
}
