// Domain lifecycle, memory side: XEN_DOMCTL_createdomain and XEN_DOMCTL_destroydomain.
// Scheduling state (pause/unpause, run queues) belongs to the scheduler, not here.

extension MemoryManager {
  /// Checks that `caller` is a live vCPU (ESRCH) of a privileged domain (EPERM).
  func privilegedCaller(_ caller: VCPUID) throws(HypercallError) {
    let s = try callerSlot(caller)
    guard domains[s]!.privileged else { throw .EPERM }
  }

  /// `XEN_DOMCTL_createdomain`: creates `domain` with no memory.
  ///
  /// Conditions, in the Spec's order: privileged live caller (ESRCH, EPERM); the id was never
  /// used (EEXIST, `Rule.noDomainIdReuse`); `1...maxVCPUsPerDomain` vCPUs and `maxPages >= 0`
  /// (EINVAL). Core-only: no free domain slot is refused with ENOMEM.
  public mutating func domainCreate(
    caller: VCPUID, domain: DomID, maxPages: Int, vcpus: Int
  ) throws(HypercallError) {
    try privilegedCaller(caller)
    guard !wasUsed(domain) else { throw .EEXIST }
    guard vcpus >= 1 && vcpus <= config.maxVCPUsPerDomain, maxPages >= 0 else { throw .EINVAL }
    var free = 0
    while free < domains.count && domains[free] != nil { free += 1 }
    guard free < domains.count else { throw .ENOMEM }
    domains[free] = DomainRecord(
      id: domain, privileged: false, maxPages: maxPages, vcpus: vcpus, config: config)
    slotOf[Int(domain.raw)] = UInt16(free)
    usedIDs[Int(domain.raw) >> 6] |= 1 << UInt64(domain.raw & 63)
  }

  /// `XEN_DOMCTL_destroydomain`: tears `target` down in one step.
  ///
  /// Conditions, in the Spec's order: privileged live caller (ESRCH, EPERM); `target` alive
  /// (ESRCH) and not the caller's domain (EINVAL); no other domain maps one of its grants
  /// (EBUSY, `Rule.grantOutlivesItsUsers`).
  ///
  /// Effect, as in the Spec: the references `target` holds on other domains' frames (L1 entries
  /// of granted frames, then its grant mappings) are released; every frame it owns is scrubbed
  /// and freed (every remaining reference to them is its own); its slot is freed, and its id
  /// stays used forever. Cost: one pass over the frame table.
  public mutating func domainDestroy(caller: VCPUID, target: DomID) throws(HypercallError) {
    try privilegedCaller(caller)
    guard let s = slot(target) else { throw .ESRCH }
    guard target != caller.domain else { throw .EINVAL }
    guard domains[s]!.grantsMappedByOthers == 0 else { throw .EBUSY }
    let d = target.raw
    // 1. L1 entries of `target` mapping granted (foreign) frames.
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      guard f.isOwned(by: d), f.type == DecisionPageType.l1, f.typeCount > 0 else { continue }
      for j in 0..<XenABI.entriesPerTable {
        let e = memory.readEntry(frame: MFN(UInt64(i)), index: j)
        guard e & DecisionPTE.present != 0 else { continue }
        let t = (e & DecisionPTE.frameMask) >> 12
        if !record(t).isOwned(by: d) { dropEntry(e, level: 1, tableOwner: d) }
      }
    }
    // 2. Its grant mappings.
    for m in domains[s]!.maptrack where m.inUse { releaseGrantMapping(m) }
    drainReleases()  // only writable types of foreign frames reach 0 here: no table is queued
    // 3. Its own frames.
    for i in 0..<config.frameCount where frames[record: i].isOwned(by: d) { scrubAndFree(UInt64(i)) }
    // 4. Its record.
    domains[s] = nil
    slotOf[Int(d)] = Self.noSlot
  }
}
