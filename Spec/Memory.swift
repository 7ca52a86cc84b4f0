// memory_op: a domain grows and shrinks its own memory.
//
// Frames move between the free list and a domain. Two rules protect isolation here:
//   - a frame handed to a domain carries nothing from its previous owner (free frames are kept
//     scrubbed: `frameOwnership` checks that they have no contents and no M2P entry);
//   - a frame leaves a domain only when nothing references it (`Rule.freeOnlyUnreferenced`),
//     otherwise a page table, a CR3 or another domain's grant mapping would keep pointing at a
//     frame that is about to belong to someone else.

extension SpecState {
  /// `XENMEM_populate_physmap` (and `XENMEM_increase_reservation`): gives the caller `count`
  /// free frames, the lowest-numbered first, and returns them.
  ///
  /// All or nothing (Xen returns a partial count; the model refuses the whole request instead).
  /// Conditions, in order:
  /// 1. the caller is a live vCPU (ESRCH);
  /// 2. `count >= 0` (EINVAL);
  /// 3. allocation + count stays within the domain's reservation (ENOMEM);
  /// 4. enough frames are free (ENOMEM).
  public func populatePhysmap(caller: VCPUID, count: Int) -> Transition<[MFN]> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let dom = try s.callerDomain(caller)
      guard count >= 0 else { throw .EINVAL }
      guard dom.allocation + count <= dom.maxPages else { throw .ENOMEM }
      let free = s.frames.filter { $0.value.owner == .free }.map(\.key).sorted()
      guard free.count >= count else { throw .ENOMEM }
      let given = Array(free.prefix(count))
      for mfn in given { s.frames[mfn]!.owner = .domain(dom.id) }
      s.domains[dom.id]!.allocation += count
      return given
    }
  }

  /// `XENMEM_decrease_reservation`: returns `frames` to the free list, scrubbed.
  ///
  /// All or nothing. Conditions, in order:
  /// 1. the caller is a live vCPU (ESRCH);
  /// 2. no frame is listed twice (EINVAL);
  /// 3. the caller owns every frame (EPERM hypervisor / EINVAL);
  /// 4. `Rule.freeOnlyUnreferenced`: no frame is referenced, typed or pinned (EBUSY) and none is
  ///    named by one of the caller's grant entries (EBUSY).
  ///
  /// Xen instead strips the pin and lets the frame linger until its last reference goes; the
  /// model refuses, which is simpler to state and to prove, and no less safe.
  public func decreaseReservation(caller: VCPUID, frames list: [MFN]) -> Transition<Void> {
    transaction { (s: inout SpecState) throws(XenErrno) in
      let d = try s.callerDomain(caller).id
      guard Set(list).count == list.count else { throw .EINVAL }
      for mfn in list { try s.checkOwned(mfn, by: d) }
      let granted = Set((s.grantTables[d]?.entries ?? [:]).values.map(\.frame))
      for mfn in list {
        let f = s.frame(mfn)
        guard f.refCount == 0, f.typeCount == 0, !f.pinned, !granted.contains(mfn) else {
          throw .EBUSY
        }
      }
      for mfn in list { s.scrubAndFree(mfn) }
      s.domains[d]!.allocation -= list.count
    }
  }

  /// Clears a frame's contents and M2P entry and puts it back on the free list.
  mutating func scrubAndFree(_ mfn: MFN) {
    contents[mfn] = nil
    m2p[mfn] = nil
    frames[mfn] = FrameInfo(owner: .free)
  }
}
