// The attack catalogue: known ways to break PV isolation, each as setup + one operation + the
// errno the model must refuse it with. Tests replay them against the model; the guest
// "attacker" and the proofs replay the same list against the real core.
//
// Every attack starts from `Scenario.standard()`. `prepare` runs the (accepted) steps that
// set the trap; `attempt` is the single refused operation. Frame names refer to the scenario.

/// The result of one attack attempt.
public struct AttackOutcome: Sendable {
  /// The state just before the attempt.
  public var before: SpecState
  /// The state just after it (must equal `before` when refused).
  public var after: SpecState
  /// The errno it was refused with, nil if it was (wrongly) accepted.
  public var errno: XenErrno?
}

/// One named attack.
public struct Attack: Sendable, CustomStringConvertible {
  /// A short identifier, e.g. `"xsa148WritableSuperpage"`.
  public var name: String
  /// The advisory or class it comes from (e.g. "XSA-148"), or "classic".
  public var reference: String
  /// The rule that refuses it.
  public var rule: Rule
  /// What the attacker tries and what it would gain.
  public var summary: String
  /// The errno the attempt must fail with.
  public var expected: XenErrno
  /// Accepted steps that set up the attack, from the standard scenario.
  public var prepare: @Sendable (Scenario) -> SpecState
  /// The attempt itself, on the prepared state.
  public var attempt: @Sendable (Scenario, SpecState) -> (XenErrno?, SpecState)

  /// Builds the scenario, prepares, attempts.
  public func run() -> AttackOutcome {
    let sc = Scenario.standard()
    let before = prepare(sc)
    let (e, after) = attempt(sc, before)
    return AttackOutcome(before: before, after: after, errno: e)
  }
  public var description: String { name }
}

/// The errno and state of a single transition, for attack attempts.
public func outcome<R>(_ t: Transition<R>) -> (XenErrno?, SpecState) {
  if case .failure(let e) = t.result { return (e, t.state) }
  return (nil, t.state)
}

private let rw = PTE.present | PTE.writable | PTE.user
private let ro = PTE.present | PTE.user

/// Dom2 maps dom1's `data[1]` (granted writable unless `readOnly`) and returns the state and
/// dom2's handle.
private func dom2MapsGrant(_ sc: Scenario, readOnly: Bool = false, frame: MFN? = nil) -> (GrantHandle, SpecState) {
  var s = sc.state
  s = must(
    s.grantAccess(
      caller: sc.dom1.vcpu, ref: GrantRef(1), grantee: sc.dom2.domain,
      frame: frame ?? sc.dom1.data[1], readOnly: readOnly), "grant").1
  return must(s.grantMap(caller: sc.dom2.vcpu, granter: sc.dom1.domain, ref: GrantRef(1), readOnly: readOnly), "map")
}

/// Every attack the model refuses.
public let attackCatalogue: [Attack] = [
  Attack(
    name: "xsa148WritableSuperpage", reference: "XSA-148", rule: .noSuperpages,
    summary: "an L2 entry with PS|RW maps 2 MiB (512 frames, incl. page tables and others' memory) writable",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in
      outcome(s.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom1.l2, 1, PTE.make(sc.dom1.data[1], rw | PTE.pageSize))))
    }),
  Attack(
    name: "xsa182RecursiveRWFlip", reference: "XSA-182", rule: .linearReadOnly,
    summary: "install a read-only linear L4 entry, then flip it to RW to write one's own page tables",
    expected: .EINVAL,
    prepare: { sc in
      must(sc.state.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom1.l4, 511, PTE.make(sc.dom1.l4, ro))), "linear").1
    },
    attempt: { sc, s in
      outcome(s.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom1.l4, 511, PTE.make(sc.dom1.l4, rw))))
    }),
  Attack(
    name: "xsa224GrantDoubleUnmap", reference: "XSA-224", rule: .grantOutlivesItsUsers,
    summary: "unmap the same grant handle twice to drop a reference the grantee no longer holds",
    expected: .ENOENT,
    prepare: { sc in
      let (h, s) = dom2MapsGrant(sc)
      return must(s.grantUnmap(caller: sc.dom2.vcpu, handle: h), "first unmap").1
    },
    attempt: { sc, s in outcome(s.grantUnmap(caller: sc.dom2.vcpu, handle: GrantHandle(0))) }),
  Attack(
    name: "mapForeignFrame", reference: "classic", rule: .ownFramesOnly,
    summary: "an L1 entry pointing at another domain's frame, without a grant",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in
      outcome(s.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom1.l1, 1, PTE.make(sc.dom2.data[0], ro))))
    }),
  Attack(
    name: "mapHypervisorFrame", reference: "classic", rule: .noHypervisorFrames,
    summary: "an L1 entry pointing at a hypervisor frame",
    expected: .EPERM, prepare: { $0.state },
    attempt: { sc, s in
      outcome(s.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom1.l1, 1, PTE.make(MFN(1), ro))))
    }),
  Attack(
    name: "writableMappingOfOwnL1", reference: "classic", rule: .typeChangesOnlyAtZero,
    summary: "map one's own L1 writable, then write arbitrary PTEs into it directly",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in
      outcome(s.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom1.l1, 1, PTE.make(sc.dom1.l1, rw))))
    }),
  Attack(
    name: "writableMappingViaUpdateVa", reference: "classic", rule: .typeChangesOnlyAtZero,
    summary: "the same through update_va_mapping: map one's own L2 writable at va 0x1000",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in
      outcome(s.updateVaMapping(caller: sc.dom1.vcpu, va: 0x1000, val: PTE.make(sc.dom1.l2, rw)))
    }),
  Attack(
    name: "pinForeignFrame", reference: "classic", rule: .ownFramesOnly,
    summary: "pin another domain's frame as an L1, freezing its type",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in outcome(s.mmuextOpOne(caller: sc.dom1.vcpu, .pinTable(.l1, sc.dom2.data[1]))) }),
  Attack(
    name: "pinMappedDataAsL1", reference: "classic", rule: .typeChangesOnlyAtZero,
    summary: "pin a frame that is mapped writable as an L1: the writable mapping would then edit a live page table",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in outcome(s.mmuextOpOne(caller: sc.dom1.vcpu, .pinTable(.l1, sc.dom1.data[0]))) }),
  Attack(
    name: "typeConfusionL1AsL2", reference: "classic", rule: .typeChangesOnlyAtZero,
    summary: "pin an L1 as an L2, so its data-page entries would be read as page-table pointers",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in outcome(s.mmuextOpOne(caller: sc.dom1.vcpu, .pinTable(.l2, sc.dom1.l1))) }),
  Attack(
    name: "newBaseptrForeign", reference: "classic", rule: .ownFramesOnly,
    summary: "load another domain's L4 into one's CR3",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in outcome(s.mmuextOpOne(caller: sc.dom1.vcpu, .newBaseptr(sc.dom2.l4))) }),
  Attack(
    name: "reservedBitsInPTE", reference: "classic", rule: .noReservedBits,
    summary: "an L1 entry with bit 52 set (reserved/protection-key bits the model does not allow)",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in
      outcome(s.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom1.l1, 1, PTE.make(sc.dom1.data[1], ro) | 1 << 52)))
    }),
  Attack(
    name: "decreaseReservationOfPinnedTable", reference: "classic", rule: .freeOnlyUnreferenced,
    summary: "give back a pinned page table: the frame would be reused while still walked by the MMU",
    expected: .EBUSY, prepare: { $0.state },
    attempt: { sc, s in outcome(s.decreaseReservation(caller: sc.dom1.vcpu, frames: [sc.dom1.l4])) }),
  Attack(
    name: "decreaseReservationOfGrantedFrame", reference: "classic", rule: .freeOnlyUnreferenced,
    summary: "give back a frame another domain has mapped through a grant",
    expected: .EBUSY, prepare: { dom2MapsGrant($0).1 },
    attempt: { sc, s in outcome(s.decreaseReservation(caller: sc.dom1.vcpu, frames: [sc.dom1.data[1]])) }),
  Attack(
    name: "destroyWhileMapped", reference: "classic", rule: .grantOutlivesItsUsers,
    summary: "destroy a domain whose frame another domain still maps through a grant",
    expected: .EBUSY, prepare: { dom2MapsGrant($0).1 },
    attempt: { sc, s in outcome(s.domainDestroy(caller: sc.dom0, target: sc.dom1.domain)) }),
  Attack(
    name: "endGrantWhileMapped", reference: "classic", rule: .grantOutlivesItsUsers,
    summary: "revoke a grant entry while the grantee maps it",
    expected: .EBUSY, prepare: { dom2MapsGrant($0).1 },
    attempt: { sc, s in outcome(s.grantEnd(caller: sc.dom1.vcpu, ref: GrantRef(1))) }),
  Attack(
    name: "unmapGrantStillInPageTable", reference: "classic", rule: .grantOutlivesItsUsers,
    summary: "unmap a grant while one's own L1 still maps the frame, keeping access after the right is gone",
    expected: .EBUSY,
    prepare: { sc in
      let s = dom2MapsGrant(sc).1
      return must(s.mmuUpdateOne(caller: sc.dom2.vcpu, .normal(sc.dom2.l1, 1, PTE.make(sc.dom1.data[1], rw))), "pte").1
    },
    attempt: { sc, s in outcome(s.grantUnmap(caller: sc.dom2.vcpu, handle: GrantHandle(0))) }),
  Attack(
    name: "writableMapOfGrantedPageTable", reference: "classic", rule: .typeChangesOnlyAtZero,
    summary: "a domain grants its own L1 writable to an accomplice, which maps it writable",
    expected: .EINVAL,
    prepare: { sc in
      must(sc.state.grantAccess(caller: sc.dom1.vcpu, ref: GrantRef(1), grantee: sc.dom2.domain, frame: sc.dom1.l1, readOnly: false), "grant").1
    },
    attempt: { sc, s in
      outcome(s.grantMap(caller: sc.dom2.vcpu, granter: sc.dom1.domain, ref: GrantRef(1), readOnly: false))
    }),
  Attack(
    name: "grantCopyIntoPageTable", reference: "classic", rule: .typeChangesOnlyAtZero,
    summary: "GNTTABOP_copy arbitrary PTEs over one's own validated L1, bypassing validation",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in
      outcome(s.grantCopy(caller: sc.dom1.vcpu, source: .local(sc.dom1.data[1]), dest: .local(sc.dom1.l1)))
    }),
  Attack(
    name: "mapGrantNotAddressedToMe", reference: "classic", rule: .ownFramesOnly,
    summary: "map a grant entry that names another grantee",
    expected: .EPERM,
    prepare: { sc in
      must(sc.state.grantAccess(caller: sc.dom1.vcpu, ref: GrantRef(1), grantee: .dom0, frame: sc.dom1.data[1], readOnly: false), "grant").1
    },
    attempt: { sc, s in
      outcome(s.grantMap(caller: sc.dom2.vcpu, granter: sc.dom1.domain, ref: GrantRef(1), readOnly: true))
    }),
  Attack(
    name: "writableMapOfReadOnlyGrant", reference: "classic", rule: .ownFramesOnly,
    summary: "map a read-only grant writable",
    expected: .EPERM,
    prepare: { sc in
      must(sc.state.grantAccess(caller: sc.dom1.vcpu, ref: GrantRef(1), grantee: sc.dom2.domain, frame: sc.dom1.data[1], readOnly: true), "grant").1
    },
    attempt: { sc, s in
      outcome(s.grantMap(caller: sc.dom2.vcpu, granter: sc.dom1.domain, ref: GrantRef(1), readOnly: false))
    }),
  Attack(
    name: "writablePTEOverReadOnlyGrant", reference: "classic", rule: .ownFramesOnly,
    summary: "map a read-only grant, then point an R/W L1 entry at the frame",
    expected: .EPERM, prepare: { dom2MapsGrant($0, readOnly: true).1 },
    attempt: { sc, s in
      outcome(s.mmuUpdateOne(caller: sc.dom2.vcpu, .normal(sc.dom2.l1, 1, PTE.make(sc.dom1.data[1], rw))))
    }),
  Attack(
    name: "writeForeignFrameViaMMUUpdate", reference: "classic", rule: .ownFramesOnly,
    summary: "use mmu_update to store into another domain's frame",
    expected: .EINVAL, prepare: { $0.state },
    attempt: { sc, s in outcome(s.mmuUpdateOne(caller: sc.dom1.vcpu, .normal(sc.dom2.data[0], 0, 0x41))) }),
  Attack(
    name: "exceedReservation", reference: "classic", rule: .withinReservation,
    summary: "populate more frames than the domain's reservation allows",
    expected: .ENOMEM, prepare: { $0.state },
    attempt: { sc, s in outcome(s.populatePhysmap(caller: sc.dom1.vcpu, count: 9)) }),
  Attack(
    name: "unprivilegedDomainCreate", reference: "classic", rule: .privilegedControl,
    summary: "a guest creates a domain (and would control its memory)",
    expected: .EPERM, prepare: { $0.state },
    attempt: { sc, s in outcome(s.domainCreate(caller: sc.dom1.vcpu, domain: DomID(9), maxPages: 4, vcpus: 1)) }),
  Attack(
    name: "unprivilegedSetWeight", reference: "classic", rule: .privilegedControl,
    summary: "a guest raises its own scheduler weight",
    expected: .EPERM, prepare: { $0.state },
    attempt: { sc, s in outcome(s.setWeight(caller: sc.dom1.vcpu, target: sc.dom1.domain, weight: 65535)) }),
  Attack(
    name: "bindPortOfferedToOther", reference: "classic", rule: .mutualConsent,
    summary: "bind to an unbound port that was offered to a different domain",
    expected: .EINVAL,
    prepare: { sc in must(sc.state.evtchnAllocUnbound(caller: sc.dom1.vcpu, remote: .dom0), "alloc").1 },
    attempt: { sc, s in
      outcome(s.evtchnBindInterdomain(caller: sc.dom2.vcpu, remote: sc.dom1.domain, remotePort: Port(1)))
    }),
  Attack(
    name: "domainIdReuse", reference: "classic", rule: .noDomainIdReuse,
    summary: "recreate a destroyed domain's id to inherit grants and ports that still name it",
    expected: .EEXIST,
    prepare: { sc in must(sc.state.domainDestroy(caller: sc.dom0, target: sc.dom2.domain), "destroy").1 },
    attempt: { sc, s in outcome(s.domainCreate(caller: sc.dom0, domain: sc.dom2.domain, maxPages: 4, vcpus: 1)) }),
]
