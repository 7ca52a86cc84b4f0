import BulkheadSpec
import Testing

/// The attack catalogue: each attack is refused with its errno, and the refusal changes nothing.
@Suite struct AttackTests {
  @Test func standardScenarioSatisfiesEveryInvariant() {
    let sc = Scenario.standard()
    #expect(checkAllInvariants(sc.state) == [])
    #expect(sc.state.frame(sc.dom1.l4).type == .l4)
    #expect(sc.state.frame(sc.dom1.l1).type == .l1)
    #expect(sc.state.frame(sc.dom1.data[0]).type == .writable)
  }

  @Test(arguments: attackCatalogue)
  func attackIsRefused(_ attack: Attack) {
    let o = attack.run()
    #expect(checkAllInvariants(o.before) == [], "setup of \(attack.name) is not a valid state")
    #expect(o.errno == attack.expected, "\(attack.name): got \(String(describing: o.errno))")
    #expect(o.before == o.after, "\(attack.name): refusal changed the state")
  }

  @Test func catalogueNamesAreUnique() {
    #expect(Set(attackCatalogue.map(\.name)).count == attackCatalogue.count)
    #expect(attackCatalogue.count >= 20)
  }
}
