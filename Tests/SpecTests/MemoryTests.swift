import BulkheadSpec
import Testing

private let rw = PTE.present | PTE.writable | PTE.user
private let ro = PTE.present | PTE.user

/// Page typing, reference counting and memory ops, rule by rule.
@Suite struct MemoryTests {
  @Test func pinningValidatesRecursivelyAndUnpinReleases() {
    let sc = Scenario.standard()
    let g = sc.dom1
    var s = sc.state
    // Pinned and in CR3: two L4 references.
    #expect(s.frame(g.l4).typeCount == 2 && s.frame(g.l4).refCount == 2)
    #expect(s.frame(g.l3).type == .l3 && s.frame(g.l1).type == .l1)
    // Drop CR3 by loading nothing else: unpin leaves the CR3 reference, so the tree stays.
    s = s.mmuextOpOne(caller: g.vcpu, .unpinTable(g.l4)).state
    #expect(s.frame(g.l4).typeCount == 1 && !s.frame(g.l4).pinned)
    #expect(s.frame(g.l1).type == .l1)
    // A second unpin is refused.
    #expect(s.mmuextOpOne(caller: g.vcpu, .unpinTable(g.l4)).result.failure == .EINVAL)
    #expect(checkAllInvariants(s) == [])
  }

  @Test func unvalidatingATreeReleasesEverything() {
    // Build a second L4 with its own tree, pin it, unpin it: every count returns to 0.
    let sc = Scenario.standard()
    let g = sc.dom1
    var s = sc.state
    let (f, s1) = must(s.populatePhysmap(caller: g.vcpu, count: 3), "populate")
    s = s1
    let b = s.mmuUpdate(caller: g.vcpu, [
      .normal(f[0], 0, PTE.make(f[1], rw)), .normal(f[1], 3, PTE.make(f[2], rw)),
      .normal(f[2], 7, PTE.make(g.l1, rw)),  // shares dom1's existing L1
    ])
    #expect(b.done == 3 && b.error == nil)
    s = b.state
    s = must(s.mmuextOpOne(caller: g.vcpu, .pinTable(.l4, f[0])), "pin").1
    #expect(s.frame(g.l1).typeCount == 2)  // referenced by two L2s
    #expect(checkAllInvariants(s) == [])
    s = must(s.mmuextOpOne(caller: g.vcpu, .unpinTable(f[0])), "unpin").1
    for m in f { #expect(s.frame(m).typeCount == 0 && s.frame(m).refCount == 0) }
    #expect(s.frame(g.l1).typeCount == 1)
    #expect(checkAllInvariants(s) == [])
    // Now they can be given back.
    #expect(s.decreaseReservation(caller: g.vcpu, frames: f).result.isSuccess)
  }

  @Test func batchStopsAtFirstFailureWithNoEffectFromIt() {
    let sc = Scenario.standard()
    let g = sc.dom1
    let reqs: [MMUUpdate] = [
      .normal(g.l1, 1, PTE.make(g.data[1], rw)),
      .normal(g.l1, 2, PTE.make(g.l1, rw)),  // refused: writable map of an L1
      .normal(g.l1, 3, PTE.make(g.data[2], rw)),
    ]
    let b = sc.state.mmuUpdate(caller: g.vcpu, reqs)
    #expect(b.done == 1 && b.error == .EINVAL)
    #expect(b.state == sc.state.mmuUpdateOne(caller: g.vcpu, reqs[0]).state)
    #expect(b.state.entry(g.l1, 3) == 0)
  }

  @Test func readOnlyLinearL4IsAllowedAndWalksReadOnly() {
    let sc = Scenario.standard()
    let g = sc.dom1
    let s = must(sc.state.mmuUpdateOne(caller: g.vcpu, .normal(g.l4, 511, PTE.make(g.l4, ro))), "linear").1
    #expect(s.frame(g.l4).typeCount == 3)  // pin + CR3 + itself
    let leaves = s.walk(root: g.l4).leaves
    #expect(leaves.contains { $0.frame == g.l1 && !$0.writable })  // the L1 is readable via the linear slot
    #expect(!leaves.contains { $0.writable && s.frame($0.frame).type != .writable })
    #expect(checkAllInvariants(s) == [])
    // update_va_mapping through the linear slot lands in an L2 (read as an L1): refused.
    let va = VirtualAddress.make(l4: 511, l3: 0, l2: 0, l1: 0)
    #expect(s.updateVaMapping(caller: g.vcpu, va: va, val: 0).result.failure == .EINVAL)
  }

  @Test func selfReferenceOnlyTableIsReleasedByRemovingTheEntry() {
    // Pin, add a linear self-entry, unpin and drop CR3: the L4 lives only through itself.
    let sc = Scenario.standard()
    let g = sc.dom1
    var s = sc.state
    let (f, s1) = must(s.populatePhysmap(caller: g.vcpu, count: 1), "populate")
    s = s1
    s = must(s.mmuextOpOne(caller: g.vcpu, .pinTable(.l4, f[0])), "pin").1
    s = must(s.mmuUpdateOne(caller: g.vcpu, .normal(f[0], 5, PTE.make(f[0], ro))), "self").1
    s = must(s.mmuextOpOne(caller: g.vcpu, .unpinTable(f[0])), "unpin").1
    #expect(s.frame(f[0]).typeCount == 1)
    s = must(s.mmuUpdateOne(caller: g.vcpu, .normal(f[0], 5, 0)), "remove self entry").1
    #expect(s.frame(f[0]).typeCount == 0 && s.frame(f[0]).refCount == 0)
    #expect(checkAllInvariants(s) == [])
  }

  @Test func dataWritesNeedAWritableType() {
    let sc = Scenario.standard()
    let g = sc.dom1
    // A data frame can be written through mmu_update; the value is not validated.
    let s = must(sc.state.mmuUpdateOne(caller: g.vcpu, .normal(g.data[2], 9, 0xDEAD_0003)), "data").1
    #expect(s.entry(g.data[2], 9) == 0xDEAD_0003)
    // But pinning it as an L1 validates that value: frame 0xDEAD is out of range.
    #expect(s.mmuextOpOne(caller: g.vcpu, .pinTable(.l1, g.data[2])).result.failure == .EINVAL)
    #expect(sc.state.mmuUpdateOne(caller: g.vcpu, MMUUpdate(ptr: g.l1.address | 2, val: 0)).result.failure == .ENOSYS)
  }

  @Test func populateGivesLowestFreeFramesAndRespectsReservation() {
    let sc = Scenario.standard()
    let (f, s) = must(sc.state.populatePhysmap(caller: sc.dom1.vcpu, count: 2), "populate")
    #expect(f == [MFN(24), MFN(25)])
    #expect(s.domains[DomID(1)]!.allocation == 10)
    #expect(s.populatePhysmap(caller: sc.dom1.vcpu, count: 7).result.failure == .ENOMEM)
    #expect(s.populatePhysmap(caller: VCPUID(DomID(7), 0), count: 1).result.failure == .ESRCH)
  }

  @Test func decreaseScrubs() {
    let sc = Scenario.standard()
    let g = sc.dom1
    var s = must(sc.state.mmuUpdateOne(caller: g.vcpu, .normal(g.data[3], 1, 42)), "write").1
    s = must(s.mmuUpdateOne(caller: g.vcpu, .machphys(g.data[3], pfn: 9)), "m2p").1
    s = must(s.decreaseReservation(caller: g.vcpu, frames: [g.data[3]]), "decrease").1
    #expect(s.contents[g.data[3]] == nil && s.m2p[g.data[3]] == nil)
    #expect(s.frame(g.data[3]).owner == .free)
    #expect(s.decreaseReservation(caller: g.vcpu, frames: [g.data[2], g.data[2]]).result.failure == .EINVAL)
  }

  @Test func destroyScrubsEverythingAndReleasesForeignReferences() {
    let sc = Scenario.standard()
    var s = sc.state
    // dom1 grants data[1] to dom2; dom2 maps it and points its L1 at it.
    s = must(s.grantAccess(caller: sc.dom1.vcpu, ref: GrantRef(0), grantee: sc.dom2.domain, frame: sc.dom1.data[1], readOnly: false), "grant").1
    s = must(s.grantMap(caller: sc.dom2.vcpu, granter: sc.dom1.domain, ref: GrantRef(0), readOnly: false), "map").1
    s = must(s.mmuUpdateOne(caller: sc.dom2.vcpu, .normal(sc.dom2.l1, 4, PTE.make(sc.dom1.data[1], rw))), "pte").1
    #expect(s.frame(sc.dom1.data[1]).refCount == 2)
    // The grantee can be destroyed: its references to dom1's frame go away.
    s = must(s.domainDestroy(caller: sc.dom0, target: sc.dom2.domain), "destroy dom2").1
    #expect(s.frame(sc.dom1.data[1]).refCount == 0 && s.frame(sc.dom1.data[1]).type == .none)
    #expect(s.grantTables[sc.dom1.domain]!.entries[GrantRef(0)]!.mapCount == 0)
    #expect(s.ownedFrames(sc.dom2.domain).isEmpty)
    #expect(s.runState(of: sc.dom2.domain) == .dead)
    #expect(checkAllInvariants(s) == [])
    // Then the granter.
    s = must(s.domainDestroy(caller: sc.dom0, target: sc.dom1.domain), "destroy dom1").1
    #expect(s.frames.values.allSatisfy { $0.owner != .domain(DomID(1)) && $0.owner != .domain(DomID(2)) })
    #expect(s.contents.isEmpty)
    #expect(checkAllInvariants(s) == [])
    #expect(s.domainDestroy(caller: sc.dom0, target: .dom0).result.failure == .EINVAL)
  }
}

extension Result {
  var failure: Failure? {
    if case .failure(let e) = self { return e }
    return nil
  }
  var isSuccess: Bool { failure == nil }
}
