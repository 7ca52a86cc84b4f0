// Frame conditions: which parts of the state each transition may write and each invariant
// reads. When a transition writes nothing an invariant reads, the invariant cannot change, so
// that (transition, invariant) pair needs no proof of its own (`bulkhead prove --matrix` marks
// it "f"). The writes table is checked against the transitions on random traces
// (SpecTests/FramingTests); the reads table is written from the invariants' code below it and is
// trusted, so keep it generous: listing a part an invariant does not read is always safe.

/// A part of `SpecState`, fine enough that most transitions leave most parts alone.
public enum StatePart: Character, CaseIterable, Comparable, Sendable {
  /// `frames[m].owner`.
  case owners = "O"
  /// `frames[m]`'s type, counts, pin and validation.
  case frameRefs = "F"
  /// `contents`: what the frames hold (page-table entries).
  case contents = "E"
  /// `m2p`.
  case m2p = "X"
  /// Domain records: which exist, which are alive, their limits, vCPU counts and privilege.
  case domains = "D"
  /// A live domain's run state (running or paused).
  case runState = "R"
  /// A domain's `allocation`.
  case allocation = "A"
  /// Which vCPUs exist.
  case vcpus = "V"
  /// The vCPUs' CR3s (the page-table roots they have loaded).
  case cr3s = "3"
  /// Which domains have a grant table.
  case grantTables = "T"
  /// Each grant table's size (`frames`).
  case grantTableSizes = "N"
  /// Grant entries (with their map counts).
  case grantEntries = "G"
  /// Grant mappings held by grantees.
  case grantMappings = "K"
  /// Event-channel ports.
  case ports = "P"
  /// Scheduler placement: pCPUs, run queues, slices, time, and each vCPU's priority, blocked
  /// and parked flags and home pCPU.
  case placement = "S"
  /// Credit accounts: each vCPU's weight, cap, credit and cap budget.
  case credit = "C"

  public static func < (a: StatePart, b: StatePart) -> Bool { a.rawValue < b.rawValue }

  /// Whether `a` and `b` agree on this part.
  func same(_ a: SpecState, _ b: SpecState) -> Bool {
    switch self {
    case .owners: return a.frames.mapValues(\.owner) == b.frames.mapValues(\.owner)
    case .frameRefs:
      func refs(_ s: SpecState) -> [MFN: FrameInfo] { s.frames.mapValues { var f = $0; f.owner = .free; return f } }
      return refs(a) == refs(b)
    case .contents: return a.contents == b.contents
    case .m2p: return a.m2p == b.m2p
    case .domains:
      func records(_ s: SpecState) -> [DomID: Domain] {
        s.domains.mapValues { var d = $0; d.allocation = 0; d.state = d.isAlive ? .running : .dead; return d }
      }
      return records(a) == records(b)
    case .runState: return a.domains.mapValues(\.state) == b.domains.mapValues(\.state)
    case .allocation: return a.domains.mapValues(\.allocation) == b.domains.mapValues(\.allocation)
    case .vcpus: return Set(a.vcpus.keys) == Set(b.vcpus.keys)
    case .cr3s: return a.vcpus.compactMapValues(\.cr3) == b.vcpus.compactMapValues(\.cr3)
    case .grantTables: return Set(a.grantTables.keys) == Set(b.grantTables.keys)
    case .grantTableSizes: return a.grantTables.mapValues(\.frames) == b.grantTables.mapValues(\.frames)
    case .grantEntries: return a.grantTables.mapValues(\.entries) == b.grantTables.mapValues(\.entries)
    case .grantMappings: return a.grantMappings == b.grantMappings
    case .ports: return a.ports == b.ports
    case .placement:
      func flags(_ s: SpecState) -> [VCPUID: [Int]] {
        s.vcpus.mapValues { [$0.priority.rawValue, $0.blocked ? 1 : 0, $0.parked ? 1 : 0, $0.processor] }
      }
      return a.running == b.running && a.sliceUsed == b.sliceUsed && a.runQueues == b.runQueues
        && a.now == b.now && flags(a) == flags(b)
    case .credit:
      func accounts(_ s: SpecState) -> [VCPUID: [Int]] { s.vcpus.mapValues { [$0.weight, $0.cap, $0.credit, $0.capBudget] } }
      return accounts(a) == accounts(b)
    }
  }
}

/// The parts that differ between `a` and `b`.
public func changedParts(_ a: SpecState, _ b: SpecState) -> Set<StatePart> {
  Set(StatePart.allCases.filter { !$0.same(a, b) })
}

/// The parts each transition may write, by the names `bulkhead prove --matrix` uses (mmuextOp is
/// split by operation; its L1 pin and unpin steps write what the whole pin or unpin writes).
public let transitionWrites: [String: Set<StatePart>] = [
  "populatePhysmap": [.owners, .allocation],
  "decreaseReservation": [.owners, .frameRefs, .contents, .m2p, .allocation],
  "mmuUpdate": [.frameRefs, .contents, .m2p],
  "updateVaMapping": [.frameRefs, .contents],
  "mmuextOpPinL1": [.frameRefs], "mmuextOpUnpinL1": [.frameRefs],
  "mmuextOpPinL2-L4": [.frameRefs], "mmuextOpUnpinL2-L4": [.frameRefs],
  "mmuextOpNewBaseptr": [.frameRefs, .cr3s],
  "grantSetupTable": [.grantTableSizes],
  "grantAccess": [.grantEntries], "grantEnd": [.grantEntries],
  "grantMap": [.grantEntries, .grantMappings, .frameRefs],
  "grantUnmap": [.grantEntries, .grantMappings, .frameRefs],
  "grantCopy": [.contents],
  "evtchnAllocUnbound": [.ports], "evtchnBindInterdomain": [.ports], "evtchnBindVirq": [.ports],
  "evtchnClose": [.ports], "evtchnMask": [.ports],
  "evtchnSend": [.ports, .placement], "evtchnUnmask": [.ports, .placement], "raiseVirq": [.ports, .placement],
  "domainCreate": [
    .domains, .runState, .allocation, .vcpus, .grantTables, .grantTableSizes, .grantEntries, .grantMappings, .ports,
    .placement, .credit,
  ],
  "domainDestroy": Set(StatePart.allCases),
  "domainPause": [.runState, .placement], "domainUnpause": [.runState, .placement],
  "tick": [.placement, .credit], "account": [.placement, .credit],
  "wake": [.placement], "block": [.placement], "yield": [.placement],
  "setWeight": [.credit], "setCap": [.placement, .credit],
]

/// The parts each invariant reads (from its `check` function in MemoryInvariants.swift and
/// SchedInvariants.swift; `liveDomain` reads `.domains`, `roots(of:)` reads `.cr3s`, `.owners`
/// and `.frameRefs`, `isRunnable` reads `.runState`).
public let invariantReads: [String: Set<StatePart>] = [
  "frameOwnership": [.owners, .frameRefs, .contents, .m2p, .domains, .allocation],
  "referenceCounts": [.frameRefs, .contents, .cr3s, .grantMappings],
  "typeSafety": [.owners, .frameRefs, .contents, .domains, .cr3s],
  "isolation": [.owners, .frameRefs, .contents, .domains, .cr3s, .grantMappings],
  "grantConsistency": [.owners, .domains, .grantTables, .grantTableSizes, .grantEntries, .grantMappings],
  "eventChannelConsistency": [.domains, .ports],
  "domainConsistency": [.owners, .frameRefs, .domains, .runState, .vcpus, .cr3s, .grantTables, .ports],
  "onePerPCPU": [.placement],
  "onlyRunnableRun": [.placement, .domains, .runState, .vcpus],
  "creditBounds": [.credit],
  "capRespected": [.credit, .placement],
  "boundedWait": [.placement, .domains, .runState, .vcpus],
]
