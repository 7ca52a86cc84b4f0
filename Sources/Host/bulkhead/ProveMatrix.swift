// `bulkhead prove --matrix`: which (Spec transition, Spec invariant) pairs have an obligation.
//
// ✓ is read from the obligation names alone (`<transition>_<invariant>`, or a refinement
// `<transition>_refines<Other>` that credits a transition with another's), so it cannot drift from
// what `bulkhead prove` runs: at least one obligation covers the pair; how much of the invariant
// it covers (L1 entries only, the vCPU part of domainConsistency, ...) is in proofs/README.md.
// Proof-only helper invariants count for the Spec invariant they make up.
//
// f is a framing argument, not a proof: by the frame conditions of Spec/Framing.swift the
// transition writes no part of the state the invariant reads, so the invariant cannot change
// (the writes are checked on random traces by SpecTests/FramingTests; the reads are trusted).
// · is a gap.
import BulkheadProofs
import BulkheadSpec

enum ProveMatrix {
  /// Proof-level invariants that are parts of a Spec invariant.
  static let partOf = [
    "allocationIndex": "frameOwnership", "allocationSlots": "frameOwnership", "m2pOwnership": "frameOwnership", "scrubbed": "frameOwnership",
    "referenceIndex": "referenceCounts", "referenceSlots": "referenceCounts", "grantRange": "grantConsistency", "grantMapping": "grantConsistency", "grantWritableCount": "grantConsistency",
    "cr3Index": "referenceCounts", "cr3Slots": "referenceCounts", "cr3Counted": "referenceCounts",
    "upperIndex": "referenceCounts", "upperSlots": "referenceCounts", "upperCounted": "referenceCounts",
    "upperEnumeration": "referenceCounts", "mappingEnumeration": "referenceCounts", "mappingCounted": "referenceCounts",
    "mappingLive": "grantConsistency", "cr3Roots": "domainConsistency",
    "typeSafetyL1": "typeSafety",
  ]

  /// Refinement obligations: when proved, the first transition's accepted steps are steps of the
  /// second with the same effect, so it is credited with the second's obligations.
  static let refinements = ["updateVaMapping_refinesMMUUpdate": (refining: "updateVaMapping", refined: "mmuUpdate")]

  /// The Spec's transitions (public `Transition`/`BatchTransition` functions, with mmuextOp split
  /// by the operations the proofs step), in the Spec's file order.
  static let transitions = [
    "populatePhysmap", "decreaseReservation", "mmuUpdate", "mmuUpdateUpper", "mmuUpdateUpperSetEntry", "updateVaMapping", "mmuextOpPinL1",
    "mmuextOpPinL1ValidateStart", "mmuextOpPinL1Validate", "mmuextOpPinL1ValidateFinish",
    "mmuextOpUnpinL1", "mmuextOpUnpinL1UnvalidateStart", "mmuextOpUnpinL1Unvalidate", "mmuextOpUnpinL1UnvalidateFinish",
    "mmuextOpPinL2-L4", "mmuextOpPinL2-L4ValidateStart", "mmuextOpPinL2-L4Validate", "mmuextOpPinFinish",
    "mmuextOpUnpinL2-L4", "mmuextOpUnpinL2-L4UnvalidateStart", "mmuextOpUnpinL2-L4Unvalidate",
    "mmuextOpUnpinL2-L4UnvalidatePut", "mmuextOpUnpinFinish", "mmuextOpNewBaseptr", "grantSetupTable", "grantAccess",
    "grantEnd", "grantMap", "grantUnmap", "grantCopy", "evtchnAllocUnbound", "evtchnBindInterdomain",
    "evtchnBindVirq", "evtchnSend", "evtchnClose", "evtchnMask", "evtchnUnmask", "raiseVirq",
    "domainCreate", "domainDestroy", "domainPause", "domainUnpause", "tick", "account", "wake",
    "block", "yield", "setWeight", "setCap",
  ]

  /// The frame condition of a matrix row: the pin and unpin steps write what the whole pin or
  /// unpin writes (Spec/Framing.swift).
  static func writes(_ t: String) -> Set<StatePart> {
    for whole in ["mmuextOpPinL1", "mmuextOpUnpinL1", "mmuextOpPinL2-L4", "mmuextOpUnpinL2-L4"] where t.hasPrefix(whole) {
      return transitionWrites[whole] ?? []
    }
    if t.hasPrefix("mmuUpdateUpper") { return transitionWrites["mmuUpdate"] ?? [] }
    if t == "mmuextOpPinFinish" { return transitionWrites["mmuextOpPinL1"] ?? [] }
    if t == "mmuextOpUnpinFinish" { return transitionWrites["mmuextOpUnpinL1"] ?? [] }
    return transitionWrites[t] ?? Set(StatePart.allCases)
  }

  /// The matrix as text: one row per transition, one column per Spec invariant (numbered, with a
  /// legend). Obligations about decision functions (`creditAfterTick_creditBounds`, ...) are not
  /// transitions and are left out.
  static func render(_ obligations: [Obligation]) -> String {
    let invariants = allInvariants.map(\.name)
    var covered = Set<String>()
    for o in obligations {
      guard let cut = o.name.lastIndex(of: "_") else { continue }
      let op = String(o.name[..<cut])
      let inv = String(o.name[o.name.index(after: cut)...])
      let specInv = partOf[inv] ?? inv
      guard invariants.contains(specInv) else { continue }  // decision/XSA/sanity obligations
      covered.insert(op + "|" + specInv)
    }
    for o in obligations {
      guard let (refining, refined) = refinements[o.name] else { continue }
      for i in invariants where covered.contains(refined + "|" + i) { covered.insert(refining + "|" + i) }
    }
    let width = transitions.map(\.count).max() ?? 10
    func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
    var out = "invariants: " + invariants.enumerated().map { "\($0.offset + 1) \($0.element)" }.joined(separator: ", ") + "\n"
    out += pad("transition") + "  " + (1...invariants.count).map { String($0).count == 1 ? " \($0)" : "\($0)" }.joined(separator: " ") + "\n"
    var proved = 0, framed = 0
    for t in transitions {
      let cells = invariants.map { i -> String in
        if covered.contains(t + "|" + i) { return " ✓" }
        if writes(t).isDisjoint(with: invariantReads[i] ?? Set(StatePart.allCases)) { return " f" }
        return " ·"
      }
      proved += cells.filter { $0 == " ✓" }.count
      framed += cells.filter { $0 == " f" }.count
      out += pad(t) + "  " + cells.joined(separator: " ") + "\n"
    }
    let all = transitions.count * invariants.count
    out += "\(proved) of \(all) pairs have an obligation (✓), \(framed) hold by framing (f), \(all - proved - framed) are open (·)"
    return out
  }
}
