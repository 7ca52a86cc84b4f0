// The whole machine as the model sees it: one plain value.
//
// SpecState is Equatable on purpose: "a refused transition leaves the state unchanged" is checked
// with `==`, and the differential tester compares projections of it with the real core.
//
// Fields are grouped by concern (memory, domains, grants, event channels, scheduler). Nothing is
// cached: every count that could be recomputed from other fields is *also* recomputed by an
// invariant, so a transition that forgets to update a count is caught.

/// Tunable sizes and timings. Nothing in the model is a hidden constant.
public struct SpecConfig: Equatable, Sendable {
  /// Number of machine frames (MFN 0..<frameCount).
  public var frameCount: Int = 64
  /// Frames 0..<hypervisorFrames belong to the hypervisor and can never be mapped by a guest.
  public var hypervisorFrames: Int = 8
  /// Maximum number of frames dom0 may own.
  public var dom0MaxPages: Int = 16
  /// Number of vCPUs dom0 is created with.
  public var dom0VCPUs: Int = 1
  /// Number of physical CPUs.
  public var pcpus: Int = 1
  /// Largest vCPU count `domainCreate` accepts.
  public var maxVCPUsPerDomain: Int = 4
  /// Largest number of grant-table frames `grantSetupTable` grows a table to.
  public var maxGrantFrames: Int = 4
  /// Grant entries per grant-table frame (v1 entries are 8 bytes: 4096 / 8).
  public var grantEntriesPerFrame: Int = 512
  /// Event-channel ports per domain (port 0 is reserved, so `maxPorts - 1` are usable).
  public var maxPorts: Int = 32
  /// Number of virtual IRQs (Xen `NR_VIRQS`).
  public var virqCount: Int = 24
  /// Length of a scheduler tick in milliseconds (Xen credit1: 10 ms). Informational.
  public var tickMs: Int = 10
  /// Ticks a vCPU may run before it is preempted in favour of an equal-priority vCPU (30 ms).
  public var ticksPerSlice: Int = 3
  /// Ticks between two credit accountings (30 ms).
  public var ticksPerAccount: Int = 3
  /// Credits debited from the running vCPU at every tick (Xen: 10 per ms, so 100 per tick).
  public var creditsPerTick: Int = 100
  /// Weight given to new vCPUs (Xen default 256).
  public var defaultWeight: Int = 256

  /// Credits one pCPU provides per accounting period.
  public var creditsPerAccount: Int { creditsPerTick * ticksPerAccount }
  /// Credits are clamped to `-creditBound...creditBound` (`Rule.creditBounds`).
  public var creditBound: Int { creditsPerAccount }

  /// The default configuration (64 frames, 1 pCPU, Xen credit1 timings).
  public init() {}
}

/// Who owns a machine frame. Exactly one owner at a time (`frameOwnership`).
public enum FrameOwner: Hashable, Sendable {
  /// On the free list: no domain may reference it.
  case free
  /// Hypervisor text, data or heap: never mappable by any guest (`Rule.noHypervisorFrames`).
  case hypervisor
  /// Owned by a domain and counted in its allocation.
  case domain(DomID)
}

/// How a frame is currently used. A frame has exactly one type while its type count is > 0.
public enum PageType: Hashable, Sendable {
  /// No typed reference: free to take any type.
  case none
  /// A validated page table of that level.
  case l1, l2, l3, l4
  /// Mapped writable somewhere (an L1 entry with R/W, or a writable grant mapping).
  case writable
  /// A descriptor-table page (GDT/LDT). Listed for ABI parity; no model operation creates it yet.
  case segdesc
  /// A hypervisor page shared with a guest (shared info). Listed for ABI parity; unused so far.
  case shared

  /// The page-table level of this type, or nil if it is not a page-table type.
  public var level: Level? {
    switch self {
    case .l1: .l1
    case .l2: .l2
    case .l3: .l3
    case .l4: .l4
    default: nil
    }
  }
}

/// Per-frame bookkeeping (Xen `struct page_info`).
public struct FrameInfo: Equatable, Sendable {
  /// The frame's owner.
  public var owner: FrameOwner = .free
  /// The frame's type; `.none` whenever `typeCount == 0`.
  public var type: PageType = .none
  /// Number of typed references (pins, CR3s, PT entries, writable mappings) of `type`.
  public var typeCount: Int = 0
  /// Number of references of any kind (every typed reference is also counted here).
  public var refCount: Int = 0
  /// Whether the owner pinned it as a page table (pinning holds one typed reference).
  public var pinned: Bool = false
  /// Whether its contents were validated for its page-table type. True iff `type` is l1...l4.
  public var validated: Bool = false

  /// A free, untyped, unreferenced frame.
  public init(owner: FrameOwner = .free) { self.owner = owner }
}

/// A domain's lifecycle state.
public enum DomainState: Hashable, Sendable {
  /// Unpaused: its non-blocked vCPUs may be scheduled.
  case running
  /// Every vCPU is blocked. Never stored: reported by `SpecState.runState(of:)`.
  case blocked
  /// Paused by the control domain (new domains start paused).
  case paused
  /// Being torn down. Never stored: `domainDestroy` is atomic in the model.
  case dying
  /// Destroyed. The record is kept so the id is never reused (`Rule.noDomainIdReuse`).
  case dead
}

/// One domain.
public struct Domain: Equatable, Sendable {
  /// Its id.
  public var id: DomID
  /// Most frames it may own (Xen `max_pages`).
  public var maxPages: Int
  /// Frames it owns now (Xen `tot_pages`); must equal the count of frames with this owner.
  public var allocation: Int = 0
  /// Whether it is a control domain (may create/destroy domains, set scheduler parameters).
  public var privileged: Bool
  /// Lifecycle state.
  public var state: DomainState
  /// Number of vCPUs (ids `VCPUID(id, 0..<vcpuCount)`).
  public var vcpuCount: Int

  /// Whether the domain exists and is not dead.
  public var isAlive: Bool { state != .dead }
}

/// Credit-scheduler priority, highest first: BOOST > UNDER > OVER > IDLE.
public enum Priority: Int, Hashable, Sendable, Comparable {
  /// Only the idle vCPU (an idle pCPU). Never stored on a guest vCPU.
  case idle = 0
  /// Has used more than its share: credit < 0.
  case over = 1
  /// Within its share: credit >= 0.
  case under = 2
  /// Just woken from a block: runs ahead of everyone for at most one tick.
  case boost = 3
  public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
}

/// One virtual CPU: its address-space root and its scheduler parameters.
public struct VCPU: Equatable, Sendable {
  // -- memory --
  /// The L4 frame loaded in its CR3 (holds an L4-typed reference), nil before `new_baseptr`.
  public var cr3: MFN? = nil
  // -- scheduler parameters (set by the control domain) --
  /// Share weight (1...65535, default 256).
  public var weight: Int
  /// Cap in percent of one pCPU (0 = uncapped, 1...100).
  public var cap: Int = 0
  // -- scheduler state --
  /// Credit balance, within `-creditBound...creditBound`.
  public var credit: Int = 0
  /// Current priority (never `.idle`).
  public var priority: Priority = .under
  /// Blocked in SCHEDOP_block, waiting for an event.
  public var blocked: Bool = false
  /// Cap budget in percent-ticks: refilled by `cap * ticksPerAccount` at each accounting, and
  /// charged 100 per tick run. Meaningful only when `cap > 0`.
  public var capBudget: Int = 0
  /// Parked: out of cap budget, not schedulable until the next accounting refills it.
  public var parked: Bool = false
  /// Its home pCPU (Xen `v->processor`): the pCPU whose run queue it joins, and the one it runs
  /// on while running. Starts at `(domain + index) % pcpus`; changes when another pCPU takes it.
  public var processor: PCPU = 0
}

/// One grant entry written by the granter (Xen `grant_entry_v1` with `GTF_permit_access`).
public struct GrantEntry: Equatable, Sendable {
  /// The domain allowed to map or copy the frame.
  public var grantee: DomID
  /// The granted frame, owned by the granter.
  public var frame: MFN
  /// `GTF_readonly`: the grantee may only read.
  public var readOnly: Bool
  /// Number of live grant mappings of this entry (Xen keeps this in `GTF_reading/writing` and
  /// the active entry's pin count).
  public var mapCount: Int = 0
}

/// A domain's grant table.
public struct GrantTable: Equatable, Sendable {
  /// Frames set up by `grantSetupTable` (capacity = frames * entries per frame).
  public var frames: Int = 0
  /// Entries in use, keyed by reference.
  public var entries: [GrantRef: GrantEntry] = [:]
}

/// A grant mapping held by the grantee (Xen maptrack entry).
public struct GrantMapping: Equatable, Sendable {
  /// The domain that granted.
  public var granter: DomID
  /// The entry in the granter's table.
  public var ref: GrantRef
  /// The mapped frame (owned by the granter).
  public var frame: MFN
  /// Whether the mapping is read-only.
  public var readOnly: Bool
}

/// What an event-channel port is connected to.
public enum Binding: Hashable, Sendable {
  /// Allocated, waiting for `remote` to bind to it.
  case unbound(remote: DomID)
  /// Connected to `remotePort` in `remote`.
  case interdomain(remote: DomID, remotePort: Port)
  /// Bound to a virtual IRQ.
  case virq(UInt32)
}

/// One event-channel port.
public struct EventChannel: Equatable, Sendable {
  /// What it is connected to.
  public var binding: Binding
  /// An event arrived and has not been consumed.
  public var pending: Bool = false
  /// The guest masked it: pending events do not wake it.
  public var masked: Bool = false
}

/// The machine: memory, domains, grants, event channels and the scheduler.
public struct SpecState: Equatable, Sendable {
  /// The sizes and timings this state was booted with.
  public var config: SpecConfig

  // -- memory --
  /// Bookkeeping for every machine frame, index = MFN.
  public var frames: [MFN: FrameInfo]
  /// Non-zero 64-bit words of each frame, by entry index (0..<512). Absent means zero.
  /// Page-table entries are raw x86-64 PTEs (see `PTE`).
  public var contents: [MFN: [Int: UInt64]] = [:]
  /// The machine-to-physical table: guest pseudo-physical frame of each domain frame.
  public var m2p: [MFN: UInt64] = [:]

  // -- domains and vCPUs --
  /// Every domain ever created (dead ones kept so their ids are never reused).
  public var domains: [DomID: Domain] = [:]
  /// Every vCPU of every live domain.
  public var vcpus: [VCPUID: VCPU] = [:]

  // -- grants --
  /// Each domain's grant table.
  public var grantTables: [DomID: GrantTable] = [:]
  /// Grant mappings, keyed by grantee and handle.
  public var grantMappings: [DomID: [GrantHandle: GrantMapping]] = [:]

  // -- event channels --
  /// Each domain's ports.
  public var ports: [DomID: [Port: EventChannel]] = [:]

  // -- scheduler --
  /// The vCPU running on each pCPU (index = pCPU), nil when the pCPU is idle.
  public var running: [VCPUID?]
  /// Ticks the running vCPU has used of its current slice, per pCPU.
  public var sliceUsed: [Int]
  /// One run queue per pCPU: the runnable vCPUs that are not running and have that pCPU as
  /// their `processor`, in arrival order (FIFO within a priority).
  public var runQueues: [[VCPUID]]
  /// Ticks since boot.
  public var now: Int = 0

  /// Boots the machine: hypervisor frames reserved, the rest free, dom0 created and running
  /// with no memory yet (it populates its own physmap).
  public init(config: SpecConfig = SpecConfig()) {
    self.config = config
    var frames: [MFN: FrameInfo] = [:]
    for i in 0..<config.frameCount {
      frames[MFN(UInt64(i))] = FrameInfo(owner: i < config.hypervisorFrames ? .hypervisor : .free)
    }
    self.frames = frames
    running = Array(repeating: nil, count: config.pcpus)
    sliceUsed = Array(repeating: 0, count: config.pcpus)
    runQueues = Array(repeating: [], count: config.pcpus)
    domains[.dom0] = Domain(
      id: .dom0, maxPages: config.dom0MaxPages, privileged: true, state: .running,
      vcpuCount: config.dom0VCPUs)
    grantTables[.dom0] = GrantTable()
    ports[.dom0] = [:]
    for i in 0..<config.dom0VCPUs {
      let v = VCPUID(.dom0, i)
      vcpus[v] = VCPU(weight: config.defaultWeight, processor: homePCPU(v))
      enqueue(v)
    }
    reschedule()
  }

  /// The frame record for `mfn`; a non-existent frame reads as free and unreferenced.
  public func frame(_ mfn: MFN) -> FrameInfo { frames[mfn] ?? FrameInfo() }
  /// Whether `mfn` names a frame of this machine.
  public func exists(_ mfn: MFN) -> Bool { frames[mfn] != nil }
  /// Entry `index` of `mfn` (zero when never written).
  public func entry(_ mfn: MFN, _ index: Int) -> UInt64 { contents[mfn]?[index] ?? 0 }
  /// The live domain with id `d`, or nil.
  public func liveDomain(_ d: DomID) -> Domain? {
    guard let dom = domains[d], dom.isAlive else { return nil }
    return dom
  }
  /// Frames owned by `d`, ascending.
  public func ownedFrames(_ d: DomID) -> [MFN] {
    frames.filter { $0.value.owner == .domain(d) }.map(\.key).sorted()
  }
  /// The vCPUs of `d`, ascending.
  public func vcpus(of d: DomID) -> [VCPUID] { vcpus.keys.filter { $0.domain == d }.sorted() }
  /// The lifecycle state of `d` as Xen would report it (`.blocked` when every vCPU is blocked).
  public func runState(of d: DomID) -> DomainState? {
    guard let dom = domains[d] else { return nil }
    let vs = vcpus(of: d)
    if dom.state == .running, !vs.isEmpty, vs.allSatisfy({ vcpus[$0]?.blocked == true }) {
      return .blocked
    }
    return dom.state
  }

  /// Writes entry `index` of `mfn` (zero erases it, so equal memory compares equal).
  mutating func setEntry(_ mfn: MFN, _ index: Int, _ value: UInt64) {
    var page = contents[mfn] ?? [:]
    page[index] = value == 0 ? nil : value
    contents[mfn] = page.isEmpty ? nil : page
  }

  /// Runs `body` on a copy of the state: the copy if it returns, the untouched original if it
  /// throws. This is how every transition guarantees "refused means unchanged".
  func transaction<R>(_ body: (inout SpecState) throws(XenErrno) -> R) -> Transition<R> {
    var next = self
    do {
      let r = try body(&next)
      return (.success(r), next)
    } catch {
      return (.failure(error), self)
    }
  }
}
