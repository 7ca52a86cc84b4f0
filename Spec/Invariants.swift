// The invariant registry. Each invariant is written once, here in the model, and named; tests,
// the differential tester, the proofs and the debug kernel all iterate `allInvariants`.

/// One broken invariant: which one, and a human-readable description of the witness.
public struct Violation: Hashable, Sendable, CustomStringConvertible {
  /// The invariant's name (as in `Invariant.name`).
  public var invariant: String
  /// What is wrong, naming the frames/domains/vCPUs involved.
  public var detail: String
  /// Records a violation of `invariant`.
  public init(_ invariant: String, _ detail: String) {
    self.invariant = invariant
    self.detail = detail
  }
  public var description: String { "\(invariant): \(detail)" }
}

/// A named state invariant: holds in every reachable state.
public struct Invariant: Sendable, CustomStringConvertible {
  /// Its one name (shared with the core's check and the proof obligations).
  public var name: String
  /// One line: what it says and why it matters.
  public var summary: String
  /// Returns every violation found (empty when the invariant holds).
  public var check: @Sendable (SpecState) -> [Violation]
  public var description: String { name }
}

/// A named property of a single transition, relating the state before and after.
public struct TransitionProperty: Sendable, CustomStringConvertible {
  /// Its name.
  public var name: String
  /// One line: what it says.
  public var summary: String
  /// Checks one step: `accepted` is false when the transition was refused.
  public var check: @Sendable (_ before: SpecState, _ after: SpecState, _ accepted: Bool) -> [Violation]
  public var description: String { name }
}

/// Every state invariant, memory first, then scheduler.
public let allInvariants: [Invariant] = [
  Invariant(
    name: "frameOwnership",
    summary: "every frame has one owner; allocation = owned frames <= reservation; free frames are scrubbed",
    check: checkFrameOwnership),
  Invariant(
    name: "referenceCounts",
    summary: "each frame's refCount and typeCount equal the references that actually exist",
    check: checkReferenceCounts),
  Invariant(
    name: "typeSafety",
    summary: "a page-table frame is never reachable through a writable mapping; tables point to tables of the right type",
    check: checkTypeSafety),
  Invariant(
    name: "isolation",
    summary: "everything a domain can reach maps its own frames or frames granted to it (writable only if granted writable); never the hypervisor's",
    check: checkIsolation),
  Invariant(
    name: "grantConsistency",
    summary: "a mapped grant keeps its entry and frame alive; map counts equal live mappings",
    check: checkGrantConsistency),
  Invariant(
    name: "eventChannelConsistency",
    summary: "interdomain ports point at each other; ports stay within their table",
    check: checkEventChannels),
  Invariant(
    name: "domainConsistency",
    summary: "live domains have exactly their vCPUs; CR3s hold owned L4s; dead domains hold nothing",
    check: checkDomains),
  Invariant(
    name: "onePerPCPU",
    summary: "a vCPU runs on at most one pCPU and is never both running and queued",
    check: checkOnePerPCPU),
  Invariant(
    name: "onlyRunnableRun",
    summary: "running and queued vCPUs are runnable, and every runnable vCPU is running or queued",
    check: checkOnlyRunnableRun),
  Invariant(
    name: "creditBounds",
    summary: "credits stay within -creditBound...creditBound",
    check: checkCreditBounds),
  Invariant(
    name: "capRespected",
    summary: "a capped vCPU runs only on budget; out of budget means parked until the next accounting",
    check: checkCapRespected),
  Invariant(
    name: "boundedWait",
    summary: "no pCPU idles and no lower priority runs while a schedulable vCPU waits",
    check: checkBoundedWait),
]

/// Every transition property.
public let allTransitionProperties: [TransitionProperty] = [
  TransitionProperty(
    name: "refusalLeavesStateUnchanged",
    summary: "a refused transition returns the state it was given",
    check: { before, after, accepted in
      accepted || before == after
        ? [] : [Violation("refusalLeavesStateUnchanged", "refused transition changed the state")]
    }),
  TransitionProperty(
    name: "typeChangesOnlyAtZero",
    summary: "a frame typed before and after a single-request step keeps its type (types change only via count 0)",
    check: { before, after, _ in
      var out: [Violation] = []
      for (mfn, a) in after.frames {
        let b = before.frame(mfn)
        if b.typeCount > 0, a.typeCount > 0, b.type != a.type {
          out.append(Violation("typeChangesOnlyAtZero", "\(mfn) went \(b.type) -> \(a.type) without count 0"))
        }
      }
      return out
    }),
]

/// Runs every invariant on `s`.
public func checkAllInvariants(_ s: SpecState) -> [Violation] {
  allInvariants.flatMap { $0.check(s) }
}
