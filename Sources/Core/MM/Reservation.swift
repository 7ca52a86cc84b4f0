// memory_op: a domain grows and shrinks its own memory (XENMEM_populate_physmap,
// XENMEM_decrease_reservation).
//
// A frame handed out carries nothing from its previous owner (free frames are scrubbed when
// they are freed), and a frame leaves a domain only when nothing references it
// (`Rule.freeOnlyUnreferenced`).

extension MemoryManager {
  /// `XENMEM_populate_physmap`: gives the caller `count` free frames, lowest-numbered first.
  ///
  /// All or nothing, like the Spec. Conditions, in order: live caller (ESRCH); `count >= 0`
  /// (EINVAL); allocation + count within the reservation (ENOMEM); enough free frames (ENOMEM).
  /// The search for free frames starts at a hint below which no frame is free.
  public mutating func populatePhysmap(caller: VCPUID, count: Int) throws(HypercallError) -> [MFN] {
    let s = try callerSlot(caller)
    guard count >= 0 else { throw .EINVAL }
    let dom = domains[s]!
    guard dom.maxPages - dom.allocation >= count else { throw .ENOMEM }  // no overflow: both >= 0
    guard freeCount >= count else { throw .ENOMEM }
    var given: [MFN] = []
    given.reserveCapacity(count)
    var i = freeHint
    while given.count < count {
      if frames[record: i].ownerKind == .free {
        var r = FrameRecord.free
        r.ownerKind = .domain
        r.owner = dom.id.raw
        frames[record: i] = r
        given.append(MFN(UInt64(i)))
      }
      i += 1
    }
    freeHint = i
    freeCount -= count
    domains[s]!.allocation += count
    return given
  }

  /// `XENMEM_decrease_reservation`: returns `list` to the free list, scrubbed.
  ///
  /// All or nothing. Conditions, in the Spec's order: live caller (ESRCH); no frame listed twice
  /// (EINVAL); the caller owns every frame (EPERM hypervisor / EINVAL, first failing frame
  /// wins); none is referenced, typed, pinned, or named by one of the caller's grant entries
  /// (EBUSY).
  public mutating func decreaseReservation(caller: VCPUID, frames list: [MFN]) throws(HypercallError) {
    let s = try callerSlot(caller)
    let d = domains[s]!.id.raw
    var sorted = list
    sorted.sort { $0.raw < $1.raw }
    var k = 1
    while k < sorted.count {
      if sorted[k] == sorted[k - 1] { throw .EINVAL }
      k += 1
    }
    for mfn in list { try checkOwned(mfn.raw, by: d) }
    for mfn in list {
      let f = record(mfn.raw)
      if f.refCount != 0 || f.typeCount != 0 || f.pinned { throw .EBUSY }
    }
    // Granted frames: mark the list, scan the caller's grant entries once, unmark.
    for mfn in list { frames[record: Int(mfn.raw)].mark = true }
    var granted = false
    for e in domains[s]!.grants where e.inUse && record(e.frame.raw).mark { granted = true }
    for mfn in list { frames[record: Int(mfn.raw)].mark = false }
    if granted { throw .EBUSY }
    // Apply: cannot fail.
    for mfn in list { scrubAndFree(mfn.raw) }
    domains[s]!.allocation -= list.count
  }

  /// Clears a frame's contents and M2P entry and puts it back on the free list.
  mutating func scrubAndFree(_ mfn: UInt64) {
    memory.zeroFrame(MFN(mfn))
    frames[record: Int(mfn)] = .free
    frames[m2p: Int(mfn)] = 0
    freeCount += 1
    if Int(mfn) < freeHint { freeHint = Int(mfn) }
  }
}
