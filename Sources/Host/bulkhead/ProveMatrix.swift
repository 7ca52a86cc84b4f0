// `bulkhead prove --matrix`: which (Spec transition, Spec invariant) pairs have an obligation.
//
// ✓ is read from the obligation names alone (`<transition>_<invariant>`), so it cannot drift from
// what `bulkhead prove` runs: at least one obligation covers the pair; how much of the invariant
// it covers (L1 entries only, the vCPU part of domainConsistency, ...) is in proofs/README.md.
// Proof-only helper invariants count for the Spec invariant they make up.
//
// f is a framing argument, not a proof: by the tables below (written from Spec/, trusted) the
// transition writes no part of the state the invariant reads, so the invariant cannot change.
// · is a gap.
import BulkheadProofs
import BulkheadSpec

enum ProveMatrix {
  /// Proof-level invariants that are parts of a Spec invariant.
  static let partOf = [
    "allocationIndex": "frameOwnership", "allocationSlots": "frameOwnership",
    "referenceIndex": "referenceCounts", "referenceSlots": "referenceCounts",
  ]

  /// The Spec's transitions (public `Transition`/`BatchTransition` functions, with mmuextOp split
  /// by the operations the proofs step), in the Spec's file order.
  static let transitions = [
    "populatePhysmap", "decreaseReservation", "mmuUpdate", "updateVaMapping", "mmuextOpPinL1",
    "mmuextOpPinL1ValidateStart", "mmuextOpPinL1Validate", "mmuextOpPinL1ValidateFinish",
    "mmuextOpUnpinL1", "mmuextOpUnpinL1UnvalidateStart", "mmuextOpUnpinL1Unvalidate", "mmuextOpUnpinL1UnvalidateFinish",
    "mmuextOpPinL2-L4", "mmuextOpNewBaseptr", "grantSetupTable", "grantAccess",
    "grantEnd", "grantMap", "grantUnmap", "grantCopy", "evtchnAllocUnbound", "evtchnBindInterdomain",
    "evtchnBindVirq", "evtchnSend", "evtchnClose", "evtchnMask", "evtchnUnmask", "raiseVirq",
    "domainCreate", "domainDestroy", "domainPause", "domainUnpause", "tick", "account", "wake",
    "block", "yield", "setWeight", "setCap",
  ]

  /// Parts of the Spec's state: M frames (owner, type, counts, contents, m2p), G grant tables and
  /// mappings, P event-channel ports, S scheduler placement (pCPUs, queues, slices, time, vCPU
  /// priority/blocked/parked/home), C credit accounts (vCPU weight, cap, credit, cap budget),
  /// D domains (existence, vCPU set, CR3s), A a domain's allocation and reservation, R a domain's
  /// run state (paused/running).
  static let writes: [String: Set<Character>] = [
    "populatePhysmap": ["M", "A"], "decreaseReservation": ["M", "A"], "mmuUpdate": ["M"],
    "updateVaMapping": ["M"], "mmuextOpPinL1": ["M"],
    "mmuextOpPinL1ValidateStart": ["M"], "mmuextOpPinL1Validate": ["M"], "mmuextOpPinL1ValidateFinish": ["M"],
    "mmuextOpUnpinL1": ["M"], "mmuextOpUnpinL1UnvalidateStart": ["M"], "mmuextOpUnpinL1Unvalidate": ["M"],
    "mmuextOpUnpinL1UnvalidateFinish": ["M"], "mmuextOpPinL2-L4": ["M"],
    "mmuextOpNewBaseptr": ["M", "D"], "grantSetupTable": ["G"], "grantAccess": ["G"], "grantEnd": ["G"],
    "grantMap": ["G", "M"], "grantUnmap": ["G", "M"], "grantCopy": ["M"],
    "evtchnAllocUnbound": ["P"], "evtchnBindInterdomain": ["P"], "evtchnBindVirq": ["P"],
    "evtchnSend": ["P", "S"], "evtchnClose": ["P"], "evtchnMask": ["P"], "evtchnUnmask": ["P", "S"],
    "raiseVirq": ["P", "S"], "domainCreate": ["D", "A", "R", "G", "P", "S", "C"],
    "domainDestroy": ["M", "G", "P", "S", "C", "D", "A", "R"], "domainPause": ["R", "S"], "domainUnpause": ["R", "S"],
    "tick": ["S", "C"], "account": ["S", "C"], "wake": ["S"], "block": ["S"], "yield": ["S"],
    "setWeight": ["C"], "setCap": ["S", "C"],
  ]
  /// The parts each Spec invariant reads.
  static let reads: [String: Set<Character>] = [
    "frameOwnership": ["M", "G", "D", "A"], "referenceCounts": ["M", "G", "D"], "typeSafety": ["M", "G", "D"],
    "isolation": ["M", "G", "D"], "grantConsistency": ["M", "G", "D"], "eventChannelConsistency": ["P", "D"],
    "domainConsistency": ["M", "G", "P", "D"], "onePerPCPU": ["S"], "onlyRunnableRun": ["S", "D", "R"],
    "creditBounds": ["C"], "capRespected": ["C", "S"], "boundedWait": ["S", "D", "R"],
  ]

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
    let width = transitions.map(\.count).max() ?? 10
    func pad(_ s: String) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
    var out = "invariants: " + invariants.enumerated().map { "\($0.offset + 1) \($0.element)" }.joined(separator: ", ") + "\n"
    out += pad("transition") + "  " + (1...invariants.count).map { String($0).count == 1 ? " \($0)" : "\($0)" }.joined(separator: " ") + "\n"
    var proved = 0, framed = 0
    for t in transitions {
      let cells = invariants.map { i -> String in
        if covered.contains(t + "|" + i) { return " ✓" }
        if (writes[t] ?? []).isDisjoint(with: reads[i] ?? []) { return " f" }
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
