// The scheduler's per-vCPU and per-domain records. Field names are the Spec's (`VCPU`,
// `Domain`), so a differential test compares them one by one.

/// Credit-scheduler priority, highest first: BOOST > UNDER > OVER > IDLE. Raw values are the
/// Spec's `Priority.rawValue` and `DecisionPriority`'s, so they index the run queue's lists
/// and go through the proved arithmetic unchanged.
public enum SchedPriority: UInt8, Sendable, Comparable {
  /// Only an idle pCPU. Never stored on a guest vCPU (`onlyRunnableRun`).
  case idle = 0
  /// Has used more than its share: credit < 0.
  case over = 1
  /// Within its share: credit >= 0.
  case under = 2
  /// Just woken from a block: runs ahead of everyone until its next tick.
  case boost = 3

  /// The priority a decision function returned (`DecisionPriority`); anything else reads as
  /// OVER, the least favourable guest priority, so a bad word can never boost a vCPU.
  @inline(__always)
  init(decision w: UInt64) {
    switch w {
    case DecisionPriority.under: self = .under
    case DecisionPriority.boost: self = .boost
    default: self = .over
    }
  }

  /// As a decision word (`DecisionPriority`).
  @inline(__always) var word: UInt64 { UInt64(rawValue) }

  public static func < (a: SchedPriority, b: SchedPriority) -> Bool { a.rawValue < b.rawValue }
}

/// One vCPU's scheduler state (Spec `VCPU`, scheduler fields), plus where it is.
public struct SchedVCPU: Equatable, Sendable {
  /// Its name. Meaningful only while `inUse`.
  public var id: VCPUID
  /// Whether the slot holds a vCPU of a live domain.
  public var inUse: Bool = false
  // -- parameters (set by the control domain) --
  /// Share weight, 1...65535.
  public var weight: Int = 256
  /// Cap in percent of one pCPU; 0 = uncapped.
  public var cap: Int = 0
  // -- state --
  /// Credit balance, within `-creditBound...creditBound`.
  public var credit: Int = 0
  /// Current priority (never `.idle`).
  public var priority: SchedPriority = .under
  /// Blocked in SCHEDOP_block, waiting for an event.
  public var blocked: Bool = false
  /// Cap budget in percent-ticks (meaningful only when `cap > 0`).
  public var capBudget: Int = 0
  /// Out of cap budget: not schedulable until accounting refills it.
  public var parked: Bool = false
  /// The pCPU it runs on, or -1. Redundant with `Scheduler.running` (`onePerPCPU` checks both).
  public var pcpu: Int = -1
  /// Its home pCPU (Spec `processor`): the queue it joins, and the pCPU it runs on while running.
  public var processor: Int = 0

  init(id: VCPUID) { self.id = id }
}

/// One live domain as the scheduler sees it.
struct SchedDomain: Sendable {
  /// Its id.
  var id: DomID = DomID(0)
  /// Whether the slot holds a live domain.
  var inUse: Bool = false
  /// Control domain: may create, destroy, pause domains and set weights and caps.
  var privileged: Bool = false
  /// Paused by the control domain (new domains start paused); Spec `state == .paused`.
  var paused: Bool = false
  /// Number of vCPUs; they occupy slots `slot * maxVCPUsPerDomain + 0..<vcpuCount`.
  var vcpuCount: Int = 0
}
