// xsa<N>_<property>: the vulnerability classes of past Xen advisories, each stated as a property
// and proved impossible in the Spec and, where a decision function is involved, in the core.
// proofs/README.md says what each advisory was.

import BulkheadCore
import Z3Kit

/// A PTE goal: for well-formed inputs, `claim(coreVerdict, specVerdict, inputs)`.
private func pteProperty(
  _ claim: @escaping @Sendable (BV, BV, PTEInputs) -> Z3Bool,
  core: @escaping @Sendable (PTEInputs) -> BV = { corePTECheck($0) }
) -> @Sendable () -> Goal {
  {
    let i = PTEInputs()
    return Goal(claim: claim(core(i), i.specErrno, i), hypotheses: i.wellFormed, witnesses: i.witnesses)
  }
}

private func present(_ i: PTEInputs) -> Z3Bool { SymPTE.isPresent(i.entry) }
private func rw(_ i: PTEInputs) -> Z3Bool { SymPTE.isWritable(i.entry) }
private func refusedBoth(_ core: BV, _ spec: BV) -> Z3Bool { core .!= 0 && spec .!= 0 }

// XSA-148: a present L2/L3 entry with PS (a superpage) is always refused.
private let xsa148: @Sendable (BV, BV, PTEInputs) -> Z3Bool = { core, spec, i in
  (present(i) && (i.level .== 2 || i.level .== 3) && (i.entry & DecisionPTE.pageSize) .!= 0)
    .implies(refusedBoth(core, spec))
}

// XSA-182: a writable L4 entry to a live L4 (a writable linear mapping) is always refused,
// whatever the entry held before (pteCheck has no "old entry" input: there is no fast path).
private let xsa182: @Sendable (BV, BV, PTEInputs) -> Z3Bool = { core, spec, i in
  (present(i) && i.level .== 4 && rw(i) && i.target.type .== DecisionPageType.l4 && i.target.typeCount .!= 0)
    .implies(refusedBoth(core, spec))
}

// XSA-185: no same-level (recursive) mapping below L4: an L2/L3 entry to a live table of its
// own level is refused, read-only or not.
private let xsa185: @Sendable (BV, BV, PTEInputs) -> Z3Bool = { core, spec, i in
  (present(i) && (i.level .== 2 || i.level .== 3) && i.target.type .== i.level && i.target.typeCount .!= 0)
    .implies(refusedBoth(core, spec))
}

// XSA-212 (class: guest-driven access to hypervisor memory): no entry may map a hypervisor frame.
private let xsa212: @Sendable (BV, BV, PTEInputs) -> Z3Bool = { core, spec, i in
  (present(i) && i.target.owner .== DecisionOwner.hypervisor).implies(refusedBoth(core, spec))
}

// XSA-234: a writable L1 entry to a foreign frame needs a writable grant mapping.
private let xsa234: @Sendable (BV, BV, PTEInputs) -> Z3Bool = { core, spec, i in
  (present(i) && i.level .== 1 && rw(i) && i.target.owner .!= i.requester && !i.grantWrite)
    .implies(refusedBoth(core, spec))
}

// XSA-401 (class: a frame retyped while references of its old type exist): a writable L1 entry
// to a frame with live references of another type is refused.
private let xsa401: @Sendable (BV, BV, PTEInputs) -> Z3Bool = { core, spec, i in
  (present(i) && i.level .== 1 && rw(i) && i.target.typeCount .!= 0
    && i.target.type .!= DecisionPageType.writable).implies(refusedBoth(core, spec))
}

/// A core-only PTE mutant property: the weakened core check must violate `claim`.
private func pteMutant(
  _ name: String, _ claim: @escaping @Sendable (BV, BV, PTEInputs) -> Z3Bool,
  _ core: @escaping @Sendable (PTEInputs) -> BV
) -> Mutant {
  Mutant(name, goal: pteProperty(claim, core: core))
}

let xsaObligationList: [Obligation] = [
  Obligation(
    "xsa148_noWritableSuperpage",
    mutants: [pteMutant("superpageAllowed", xsa148) { i in
      let upper = i.level .== 2 || i.level .== 3
      return corePTECheck(i, entry: BV.ite(upper, i.entry & ~DecisionPTE.pageSize, i.entry))
    }],
    goal: pteProperty(xsa148)),
  Obligation(
    "xsa182_noWritableLinearMapping",
    mutants: [pteMutant("fastPathSkipsLinearCheck", xsa182) { i in
      let linear = i.level .== 4 && i.target.type .== DecisionPageType.l4
      return corePTECheck(i, entry: BV.ite(linear, i.entry & ~DecisionPTE.writable, i.entry))
    }],
    goal: pteProperty(xsa182)),
  Obligation(
    "xsa185_noRecursiveMappingBelowL4",
    mutants: [pteMutant("sameLevelAllowed", xsa185) { i in
      let pretend = BV.ite(i.target.type .== i.level, i.level &- 1, i.target.type)
      return pteCheck(
        entry: SymWord(i.entry), level: SymWord(i.level), requester: SymWord(i.requester),
        frameCount: SymWord(i.frameCount), targetOwner: SymWord(i.target.owner),
        targetType: SymWord(pretend), targetTypeCount: SymWord(i.target.typeCount),
        grantRead: SymBool(i.grantRead), grantWrite: SymBool(i.grantWrite)
      ).z
    }],
    goal: pteProperty(xsa185)),
  Obligation(
    "xsa212_noHypervisorFrameMapped",
    mutants: [pteMutant("hypervisorFrameAllowed", xsa212) { i in
      corePTECheck(i, owner: BV.ite(i.target.owner .== DecisionOwner.hypervisor, i.requester, i.target.owner))
    }],
    goal: pteProperty(xsa212)),
  Obligation(
    "xsa212_decreaseReservationNeverFreesHypervisorFrames",
    mutants: [Mutant("noOwnerCheck") { xsa212MemoryGoal(checkOwner: false) }]
  ) { xsa212MemoryGoal(checkOwner: true) },
  Obligation(
    "xsa224_grantMapCountsExactly",
    mutants: [Mutant("endWhileMapped") { xsa224Goal(checkMapped: false) }]
  ) { xsa224Goal(checkMapped: true) },
  Obligation(
    "xsa227_mmuUpdateNamesOneAlignedEntry",
    mutants: [Mutant("unshiftedIndex") { xsa227Goal { ptr in ptr & 0xFFF } }]
  ) {
    xsa227Goal { ptr in decodeMMUUpdatePointer(ptr: SymWord(ptr)).index.z }
  },
  Obligation(
    "xsa234_writableForeignNeedsWritableGrant",
    mutants: [pteMutant("readOnlyGrantWritable", xsa234) { i in corePTECheck(i, grantWrite: i.grantRead) }],
    goal: pteProperty(xsa234)),
  Obligation(
    "xsa286_updateVaMappingWritesOnlyLiveL1",
    mutants: [Mutant("noTypeCheck") { xsa286Goal(checkType: false) }]
  ) { xsa286Goal(checkType: true) },
  Obligation(
    "xsa401_typeChangesOnlyAtZero",
    mutants: [
      pteMutant("typeConflictIgnored", xsa401) { i in corePTECheck(i, typeCount: BV(constant: 0)) },
      Mutant("grantMapWithoutTypeCheck") { xsa401GrantMapGoal(drop: .typeCheck) },
    ]
  ) {
    let pte = pteProperty(xsa401)()
    let map = xsa401GrantMapGoal(drop: .none)
    return Goal(
      claim: pte.claim && map.claim, hypotheses: pte.hypotheses + map.hypotheses,
      witnesses: pte.witnesses + map.witnesses)
  },
]

/// decreaseReservation refuses a hypervisor frame (EPERM) for any state and caller.
private func xsa212MemoryGoal(checkOwner: Bool) -> Goal {
  let s = SymState()
  let d = BV("caller"), f = BV("frame")
  let (r, _) = symDecreaseReservation(caller: d, frame: f, checkOwner: checkOwner)(s)
  return Goal(
    claim: (s.owner[f] .== DecisionOwner.hypervisor).implies(r.refused),
    hypotheses: [d .< 0x1_0000], witnesses: [.word("caller", d), .word("frame", f), .word("owner", s.owner[f])])
}

/// grantEnd succeeds only on an unmapped entry; grantMap succeeds only on an entry in use and
/// adds exactly one to its map count (no wrap: counts are bounded).
private func xsa224Goal(checkMapped: Bool) -> Goal {
  let s = SymState()
  let d = BV("caller"), k = BV("grantKey"), ro = Z3Bool("readOnly")
  let (endR, _) = symGrantEnd(caller: d, key: k, checkMapped: checkMapped)(s)
  let (mapR, mapped) = symGrantMap(caller: d, key: k, readOnly: ro)(s)
  return Goal(
    claim: (!endR.refused).implies(s.gMapCount[k] .== 0)
      && (!mapR.refused).implies(flag(s.gInUse[k]) && mapped.gMapCount[k] .== s.gMapCount[k] &+ 1
        && mapped.gMapCount[k] .> s.gMapCount[k]),
    hypotheses: [countsBounded(s)],
    witnesses: [.word("caller", d), .word("grantKey", k), .word("mapCount", s.gMapCount[k])])
}

/// For every ptr: index < 512 and the entry address rebuilds ptr (minus the command bits).
private func xsa227Goal(index: (BV) -> BV) -> Goal {
  let ptr = BV("ptr")
  let decoded = decodeMMUUpdatePointer(ptr: SymWord(ptr))
  let i = index(ptr)
  return Goal(
    claim: i .< 512 && ((decoded.frame.z << 12) | (i << 3) | decoded.command.z) .== ptr,
    witnesses: [.word("ptr", ptr), .word("index", i)])
}

/// updateVaMapping's guard: whatever frame the walk reaches (through linear entries too), the
/// write happens only if it is a live L1 of the caller.
private func xsa286Goal(checkType: Bool) -> Goal {
  let s = SymState()
  let d = BV("caller"), t = BV("walkedFrame")
  var r = Refusals()
  symCallerDomain(&r, s, d)
  // guard f.owner == .domain(d), f.type == .l1, f.typeCount > 0 else { throw .EINVAL }
  r.guard(
    s.owner[t] .== d && (checkType ? s.type[t] .== DecisionPageType.l1 && s.typeCount[t] .> 0 : .true),
    DecisionErrno.EINVAL)
  return Goal(
    claim: (!r.refused).implies(s.type[t] .== DecisionPageType.l1 && s.typeCount[t] .!= 0 && s.owner[t] .== d),
    witnesses: [.word("caller", d), .word("walkedFrame", t), .word("type", s.type[t])])
}

/// grantMap never changes the type of a frame whose type count is > 0.
private func xsa401GrantMapGoal(drop: GrantMapCheck) -> Goal {
  let s = SymState()
  let d = BV("caller"), k = BV("grantKey"), ro = Z3Bool("readOnly")
  let (r, n) = symGrantMap(caller: d, key: k, readOnly: ro, drop: drop)(s)
  let f = BV("someFrame")
  return Goal(
    claim: (!r.refused && s.typeCount[f] .> 0).implies(n.type[f] .== s.type[f]),
    witnesses: [.word("grantKey", k), .word("someFrame", f), .word("type", s.type[f])])
}
