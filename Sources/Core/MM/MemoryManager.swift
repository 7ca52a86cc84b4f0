// The memory manager: frame table, page-table memory and domains, and the hypercalls over them.
//
// One value holds the whole memory state of the machine, like the Spec's `SpecState`, and each
// hypercall is a mutating method named like the Spec transition (mmuUpdate, mmuextOp,
// updateVaMapping, populatePhysmap, decreaseReservation, grant*, domainCreate/Destroy). Each
// checks everything, in the Spec's order, before it changes anything; where a check can only be
// made by doing (validating a page-table tree takes references as it goes, exactly as Xen's
// get_page_type does), the work is undone exactly on failure, so a refused hypercall leaves the
// state as it found it.
//
// The files of this folder, one concern each:
//   FrameRecord / FrameStorage   the frame table (16 B per frame) and the M2P table (8 B)
//   MachineMemory                the seam to page-table memory
//   TypeReferences               get/put page and page type, validation, the release list
//   EntryReferences              one PTE's references: pteCheck, take, drop, modEntry
//   MMUUpdate / MMUExt           mmu_update, update_va_mapping / mmuext_op
//   Reservation                  populate_physmap, decrease_reservation
//   Grants / Domains             grant-table ops / domain create and destroy
//   MMInvariants                 the Spec's memory invariants, on the core's own state

/// The memory state of the machine and the hypercalls over it.
///
/// Generic over where page tables live (`Memory`) and where the frame table lives (`Frames`),
/// so the same code runs on the host and in the kernel.
public struct MemoryManager<Memory: MachineMemory, Frames: FrameStorage> {
  /// The sizes this machine was booted with.
  public let config: MMConfig
  /// Guest frame contents (page tables and data).
  public var memory: Memory
  /// The frame table and the M2P table.
  public internal(set) var frames: Frames

  /// Domain slots; `slotOf[id]` names a live domain's slot.
  var domains: [DomainRecord?]
  /// Slot of each domain id, `noSlot` if the id is not live.
  var slotOf: [UInt16]
  /// One bit per domain id ever used (`Rule.noDomainIdReuse`).
  var usedIDs: [UInt64]
  /// Free frames, and a frame number no free frame is below.
  var freeCount: Int
  var freeHint: Int
  /// Head of the release list (frames whose last typed reference went while they were tables).
  var releaseHead: UInt32 = FrameRecord.endOfList

  static var noSlot: UInt16 { 0xFFFF }

  /// Boots the machine: hypervisor frames reserved, the rest free, dom0 created with no memory.
  ///
  /// `frames` and `memory` must have `config.frameCount` frames; `frames` is (re)initialized.
  public init(config: MMConfig, memory: Memory, frames: Frames) {
    precondition(config.isValid, "MMConfig out of range")
    precondition(frames.frameCount == config.frameCount, "frame storage size differs from config")
    self.config = config
    self.memory = memory
    self.frames = frames
    for i in 0..<config.frameCount {
      self.frames[record: i] = i < config.hypervisorFrames ? .hypervisor : .free
      self.frames[m2p: i] = 0
    }
    domains = [DomainRecord?](repeating: nil, count: config.maxDomains)
    slotOf = [UInt16](repeating: Self.noSlot, count: 65536)
    usedIDs = [UInt64](repeating: 0, count: 1024)
    freeCount = config.frameCount - config.hypervisorFrames
    freeHint = config.hypervisorFrames
    domains[0] = DomainRecord(
      id: .dom0, privileged: true, maxPages: config.dom0MaxPages, vcpus: config.dom0VCPUs,
      config: config)
    slotOf[0] = 0
    usedIDs[0] = 1
  }

  // MARK: lookups

  /// The frame record of `mfn` (callers check `mfn < frameCount`).
  @inline(__always) func record(_ mfn: UInt64) -> FrameRecord { frames[record: Int(truncatingIfNeeded: mfn)] }

  /// Whether `mfn` names a frame of this machine.
  @inline(__always) public func exists(_ mfn: UInt64) -> Bool { mfn < UInt64(config.frameCount) }

  /// The slot of live domain `d`, or nil.
  @inline(__always) func slot(_ d: DomID) -> Int? {
    let s = slotOf[Int(d.raw)]
    return s == Self.noSlot ? nil : Int(s)
  }

  /// The slot of the domain issuing a hypercall from `v`: a live domain with that vCPU (ESRCH).
  @inline(__always) func callerSlot(_ v: VCPUID) throws(HypercallError) -> Int {
    guard let s = slot(v.domain), v.index >= 0, v.index < domains[s]!.vcpuCount else {
      throw .ESRCH
    }
    return s
  }

  /// Checks that `mfn` is a frame owned by `d`: nonexistent EINVAL, hypervisor EPERM, other
  /// owner EINVAL (the Spec's `checkOwned`, `Rule.noHypervisorFrames`, `Rule.ownFramesOnly`).
  @inline(__always) func checkOwned(_ mfn: UInt64, by d: UInt16) throws(HypercallError) {
    guard exists(mfn) else { throw .EINVAL }
    let r = record(mfn)
    if r.ownerKind == .hypervisor { throw .EPERM }
    guard r.isOwned(by: d) else { throw .EINVAL }
  }

  /// Word `index` of `mfn`, zero for a frame that does not exist.
  @inline(__always) func entry(_ mfn: UInt64, _ index: Int) -> UInt64 {
    exists(mfn) ? memory.readEntry(frame: MFN(mfn), index: index) : 0
  }

  // MARK: read-only views (tests, replay, debug kernel)

  /// The record of frame `mfn`, nil if it does not exist.
  public func frameRecord(_ mfn: MFN) -> FrameRecord? { exists(mfn.raw) ? record(mfn.raw) : nil }
  /// The M2P entry of `mfn`, nil when none was recorded.
  public func m2p(_ mfn: MFN) -> UInt64? {
    guard exists(mfn.raw), record(mfn.raw).hasM2P else { return nil }
    return frames[m2p: Int(mfn.raw)]
  }
  /// Word `index` of frame `mfn` (zero for frames that do not exist).
  public func readEntry(_ mfn: MFN, _ index: Int) -> UInt64 { entry(mfn.raw, index) }
  /// The live domain `d`, nil if it does not exist or is dead.
  public func domain(_ d: DomID) -> DomainRecord? { slot(d).flatMap { domains[$0] } }
  /// Every live domain, in id order.
  public var liveDomains: [DomainRecord] {
    var out: [DomainRecord] = []
    for case let d? in domains { out.append(d) }
    out.sort { $0.id.raw < $1.id.raw }
    return out
  }
  /// Whether id `d` was ever used (live or dead).
  public func wasUsed(_ d: DomID) -> Bool { usedIDs[Int(d.raw) >> 6] & (1 << UInt64(d.raw & 63)) != 0 }
  /// Number of free frames.
  public var freeFrames: Int { freeCount }
}

/// The host configuration of the memory manager: Swift arrays for everything.
public typealias HostMemoryManager = MemoryManager<PagedMachineMemory, ArrayFrameStorage>

extension MemoryManager where Memory == PagedMachineMemory, Frames == ArrayFrameStorage {
  /// A host machine of `config.frameCount` frames.
  public init(config: MMConfig) {
    self.init(
      config: config, memory: PagedMachineMemory(frameCount: config.frameCount),
      frames: ArrayFrameStorage(frameCount: config.frameCount))
  }
}
