// Spec transitions, restated symbolically and named as in Spec/*.swift. Each returns the
// Spec's refusal checks (in the Spec's order) and the state it produces when none fails.
// Where the Spec handles a list (populatePhysmap's `count` frames, decreaseReservation's list),
// the symbolic step handles one arbitrary element: the Spec's all-or-nothing list operation is
// the sequence of these steps (its up-front checks are the conjunction of theirs).

import BulkheadCore
import Z3Kit

typealias SymTransition = (SymState) -> (Refusals, SymState)

/// `callerDomain(v)`: the caller's domain is alive (ESRCH).
func symCallerDomain(_ r: inout Refusals, _ s: SymState, _ d: BV) {
  r.guard(flag(s.alive[d]), DecisionErrno.ESRCH)
}

/// `checkOwned(mfn, by: d)`: exists (EINVAL), not hypervisor (EPERM), owned by d (EINVAL).
func symCheckOwned(_ r: inout Refusals, _ s: SymState, _ mfn: BV, by d: BV) {
  r.guard(mfn .< s.frameCount, DecisionErrno.EINVAL)
  r.throwIf(s.owner[mfn] .== DecisionOwner.hypervisor, DecisionErrno.EPERM)
  r.guard(s.owner[mfn] .== d, DecisionErrno.EINVAL)
}

/// `getPage(mfn)`.
func symGetPage(_ s: SymState, _ mfn: BV) -> SymState {
  var n = s
  n.refCount = s.refCount.set(mfn, s.refCount[mfn] &+ 1)
  return n
}

/// `getPageType(mfn, .writable)`: the non-table case (no validation). Check: at count > 0
/// the type must already be writable (EINVAL).
func symGetPageTypeWritable(_ r: inout Refusals, _ s: SymState, _ mfn: BV) -> SymState {
  let w = BV(constant: DecisionPageType.writable)
  r.when(s.typeCount[mfn] .> 0) { r in r.guard(s.type[mfn] .== w, DecisionErrno.EINVAL) }
  var n = s
  n.type = s.type.set(mfn, w)
  n.typeCount = s.typeCount.set(mfn, s.typeCount[mfn] &+ 1)
  return n
}

/// `scrubAndFree(mfn)`: `frames[mfn] = FrameInfo(owner: .free)`.
func symScrubAndFree(_ s: SymState, _ mfn: BV, keepsM2P: Bool = false) -> SymState {
  var n = s
  if !keepsM2P { n.m2p = s.m2p.set(mfn, kFalse) }
  n.owner = s.owner.set(mfn, BV(constant: DecisionOwner.free))
  n.type = s.type.set(mfn, BV(constant: DecisionPageType.none))
  n.typeCount = s.typeCount.set(mfn, kFalse)
  n.refCount = s.refCount.set(mfn, kFalse)
  n.pinned = s.pinned.set(mfn, kFalse)
  n.validated = s.validated.set(mfn, kFalse)
  return n
}

// MARK: memory_op

/// `populatePhysmap(caller:count:)`, one frame `chosen` (any free frame; the Spec takes the
/// lowest, which is one of them).
func symPopulatePhysmap(caller d: BV, chosen f: BV, checkReservation: Bool = true, checkFree: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    if checkReservation {
      r.guard(s.allocation[d] &+ 1 .<= s.maxPages[d], DecisionErrno.ENOMEM)  // withinReservation
    }
    if checkFree {
      r.guard(f .< s.frameCount && s.owner[f] .== DecisionOwner.free, DecisionErrno.ENOMEM)
    }
    var n = s
    n.owner = s.owner.set(f, d)
    n.allocation = s.allocation.set(d, s.allocation[d] &+ 1)
    // ghost: f takes position allocation[d]
    n.allocSlot = s.allocSlot.set(d, s.allocation[d], f)
    n.allocIndex = s.allocIndex.set(f, s.allocation[d])
    return (r, n)
  }
}

/// `decreaseReservation(caller:frames:)`, one frame.
func symDecreaseReservation(
  caller d: BV, frame f: BV, checkGrants: Bool = true, checkOwner: Bool = true, keepsM2P: Bool = false
) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    if checkOwner { symCheckOwned(&r, s, f, by: d) }
    let k = BV("decreaseReservation.grantKey")
    let granted = exists(
      [k], SymState.granter(ofKey: k) .== d && flag(s.gInUse[k]) && s.gFrame[k] .== f)
    let busy = s.refCount[f] .!= 0 || s.typeCount[f] .!= 0 || flag(s.pinned[f])
    r.throwIf(checkGrants ? busy || granted : busy, DecisionErrno.EBUSY)  // freeOnlyUnreferenced
    var n = symScrubAndFree(s, f, keepsM2P: keepsM2P)
    n.allocation = s.allocation.set(d, s.allocation[d] &- 1)
    // ghost: the last frame of d's enumeration moves into f's position
    let last = s.allocSlot[d, s.allocation[d] &- 1]
    n.allocSlot = s.allocSlot.set(d, s.allocIndex[f], last)
    n.allocIndex = s.allocIndex.set(last, s.allocIndex[f])
    return (r, n)
  }
}

// MARK: mmu_update

/// `mmuUpdateOne(caller: d, MMU_MACHPHYS_UPDATE)` for frame f: callerDomain (ESRCH);
/// checkOwned(f, by: d); m2p[f] = val (here: f has an entry).
func symMachphysUpdate(caller d: BV, frame f: BV, checkOwner: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    if checkOwner { symCheckOwned(&r, s, f, by: d) }
    var n = s
    n.m2p = s.m2p.set(f, kTrue)
    return (r, n)
  }
}

// MARK: domctl

/// `domainCreate(caller:domain:maxPages:vcpus:)`: the memory and domain part.
func symDomainCreate(caller c: BV, domain d: BV, maxPages m: BV, checkRange: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, c)
    r.guard(flag(s.privileged[c]), DecisionErrno.EPERM)  // privilegedCaller
    r.guard(!flag(s.used[d]), DecisionErrno.EEXIST)  // noDomainIdReuse
    r.guard(d .< 0x1_0000, DecisionErrno.EINVAL)  // DomID is 16-bit
    if checkRange { r.guard(m .< (1 << 62), DecisionErrno.EINVAL) }  // maxPages >= 0 as an Int
    var n = s
    n.used = s.used.set(d, kTrue)
    n.alive = s.alive.set(d, kTrue)
    n.privileged = s.privileged.set(d, kFalse)
    n.allocation = s.allocation.set(d, kFalse)
    n.maxPages = s.maxPages.set(d, m)
    n.gFrames = s.gFrames.set(d, kFalse)  // grantTables[d] = GrantTable()
    return (r, n)
  }
}

// MARK: grants

/// `grantAccess(caller:ref:grantee:frame:readOnly:)` on entry `k` of the caller's table.
func symGrantAccess(
  caller d: BV, key k: BV, grantee g: BV, frame f: BV, readOnly ro: BV, checkOwner: Bool = true, checkRange: Bool = true,
  checkMapped: Bool = true
) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    r.guard(SymState.granter(ofKey: k) .== d, DecisionErrno.EINVAL)  // the caller's own table
    if checkRange { r.guard((k & 0xFFFF_FFFF) .< grantCapacity(s, d), DecisionErrno.EINVAL) }
    if checkMapped { r.guard(s.gMapCount[k] .== 0, DecisionErrno.EBUSY) }
    if checkOwner { symCheckOwned(&r, s, f, by: d) }
    r.guard(flag(s.alive[g]), DecisionErrno.ESRCH)
    r.guard(g .!= d, DecisionErrno.EINVAL)
    var n = s
    n.gInUse = s.gInUse.set(k, kTrue)
    n.gGrantee = s.gGrantee.set(k, g)
    n.gFrame = s.gFrame.set(k, f)
    n.gReadOnly = s.gReadOnly.set(k, BV.ite(flag(ro), kTrue, kFalse))
    n.gMapCount = s.gMapCount.set(k, kFalse)
    n.gWMapCount = s.gWMapCount.set(k, kFalse)
    return (r, n)
  }
}

/// `grantSetupTable(caller:frames:)`: grows the caller's table to `n` frames, never shrinks it.
func symGrantSetupTable(caller d: BV, frames n: BV, neverShrinks: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    r.guard(n .<= s.maxGrantFrames, DecisionErrno.EINVAL)
    var next = s
    next.gFrames = s.gFrames.set(d, neverShrinks ? BV.ite(n .> s.gFrames[d], n, s.gFrames[d]) : n)
    return (r, next)
  }
}

/// `grantEnd(caller:ref:)`.
func symGrantEnd(caller d: BV, key k: BV, checkMapped: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    r.guard(SymState.granter(ofKey: k) .== d, DecisionErrno.EINVAL)
    r.guard(flag(s.gInUse[k]), DecisionErrno.ENOENT)
    if checkMapped { r.guard(s.gMapCount[k] .== 0, DecisionErrno.EBUSY) }  // grantOutlivesItsUsers
    var n = s
    n.gInUse = s.gInUse.set(k, kFalse)
    return (r, n)
  }
}

/// `grantMap(caller:granter:ref:readOnly:)`: resolveGrant, getPage, getPageType(.writable).
/// Checks a grantMap mutant may drop.
enum GrantMapCheck { case none, typeCheck, inUseCheck, ownerCheck }

func symGrantMap(caller d: BV, key k: BV, readOnly ro: Z3Bool, drop: GrantMapCheck = .none) -> SymTransition {
  let checkType = drop != .typeCheck
  return { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    let granter = SymState.granter(ofKey: k)
    // resolveGrant(granter, ref, for: d, write: !readOnly)
    r.guard(flag(s.alive[granter]), DecisionErrno.ESRCH)
    if drop != .inUseCheck { r.guard(flag(s.gInUse[k]), DecisionErrno.ENOENT) }
    r.guard(s.gGrantee[k] .== d, DecisionErrno.EPERM)
    r.guard(ro || !flag(s.gReadOnly[k]), DecisionErrno.EPERM)
    if drop != .ownerCheck { r.guard(s.owner[s.gFrame[k]] .== granter, DecisionErrno.EINVAL) }
    let f = s.gFrame[k]
    let held = symGetPage(s, f)  // s.getPage(e.frame)
    // if !readOnly { try s.getPageType(e.frame, .writable, for: d) }
    var typing = Refusals()
    let typed = symGetPageTypeWritable(&typing, held, f)
    if checkType { r.when(!ro) { r in r.throwIf(typing.refused, DecisionErrno.EINVAL) } }
    var n = held
    n.type = Field { i in BV.ite(ro, held.type[i], typed.type[i]) }
    n.typeCount = Field { i in BV.ite(ro, held.typeCount[i], typed.typeCount[i]) }
    n.gMapCount = s.gMapCount.set(k, s.gMapCount[k] &+ 1)
    n.gWMapCount = s.gWMapCount.set(k, s.gWMapCount[k] &+ 1, when: !ro)
    return (r, n)
  }
}

/// Checks or facts a grantUnmap / domainDestroy mutant may drop.
enum ReleaseBug { case none, doubleUnmap, readOnlyPutsType, keepsFrames, keepsGrantTable, noBusyCheck, keepsM2P }

/// `grantUnmap(caller:handle:)`: the caller gives back a mapping of entry `k` (read-only `ro`).
///
/// Mappings are not objects of this model, so what the Spec knows of the mapping the handle names
/// is assumed of the step (the handle check, ENOENT, and what the Spec's full grantConsistency and
/// referenceCounts say of an existing mapping): the entry names the caller and is mapped (count
/// > 0, and its writable count > 0 for a writable mapping); the mapping holds a reference on the frame and, if writable, a `writable` type
/// reference. The EBUSY checks (the caller's L1 entries still use the frame) are left out: fewer
/// checks, more behaviours, so the step over-approximates the Spec's.
/// Then `releaseGrantMapping`: putPageType if writable, putPage, and the entry's count - 1 if the
/// entry still exists.
func symGrantUnmap(caller d: BV, key k: BV, readOnly ro: Z3Bool, bug: ReleaseBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    let f = s.gFrame[k]
    if bug != .doubleUnmap {  // guard let m = s.grantMappings[d]?[handle] else { throw .ENOENT }
      // (a writable mapping is among the writable count; a read-only one among the rest)
      r.assume(s.gGrantee[k] .== d && s.gMapCount[k] .!= 0)
      r.assume(Z3Bool.ite(ro, s.gWMapCount[k] .< s.gMapCount[k], s.gWMapCount[k] .!= 0))
      r.assume(s.refCount[f] .!= 0)
      r.assume(ro || (s.typeCount[f] .!= 0 && s.type[f] .== DecisionPageType.writable))
    }
    var n = s
    // if !m.readOnly { putPageType(m.frame) }: a writable frame is no table, so no un-validation
    let typed = bug == .readOnlyPutsType ? Z3Bool.true : !ro
    let count = s.typeCount[f] &- 1
    n.typeCount = s.typeCount.set(f, count, when: typed)
    n.type = s.type.set(f, BV(constant: DecisionPageType.none), when: typed && count .== 0)
    n.validated = s.validated.set(f, kFalse, when: typed && count .== 0)
    // putPage(m.frame)
    n.refCount = s.refCount.set(f, s.refCount[f] &- 1)
    // if the entry exists { mapCount -= 1 }
    n.gMapCount = s.gMapCount.set(k, s.gMapCount[k] &- 1, when: flag(s.gInUse[k]))
    n.gWMapCount = s.gWMapCount.set(k, s.gWMapCount[k] &- 1, when: flag(s.gInUse[k]) && !ro)
    return (r, n)
  }
}

/// domainDestroy's first checks: a privileged live caller (ESRCH, EPERM), a live target (ESRCH)
/// that is not the caller's own domain (EINVAL).
func symDestroyChecks(_ r: inout Refusals, _ s: SymState, caller c: BV, target d: BV) {
  symCallerDomain(&r, s, c)
  r.guard(flag(s.privileged[c]), DecisionErrno.EPERM)
  r.guard(flag(s.alive[d]), DecisionErrno.ESRCH)
  r.guard(d .!= c, DecisionErrno.EINVAL)
}

/// `domainDestroy(caller:target:)`, its teardown: after the loops that release the references
/// `target` holds on other domains' frames (each one an L1 entry's or a grant mapping's release:
/// the steps `mmuUpdate` to an absent entry and `grantUnmap` prove), every frame it owns is
/// scrubbed and freed, its grant table goes (entries of key `target << 32 | ref`: not in use,
/// count 0), its allocation is 0 and it is dead. Checks: privileged live caller (ESRCH, EPERM);
/// target alive (ESRCH), not the caller's domain (EINVAL); no entry of its table is mapped
/// (EBUSY: the Spec's "no other domain maps its grants", as its own entries cannot be mapped by
/// itself, grantAccess refusing grantee == caller).
func symDomainDestroy(caller c: BV, target d: BV, bug: ReleaseBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symDestroyChecks(&r, s, caller: c, target: d)
    let k = BV("domainDestroy.grantKey")
    if bug != .noBusyCheck {
      r.guard(forall([k], (SymState.granter(ofKey: k) .== d).implies(s.gMapCount[k] .== 0)), DecisionErrno.EBUSY)
    }
    var n = s
    let owned: (BV) -> Z3Bool = { f in bug == .keepsFrames ? .false : s.owner[f] .== d }
    // for mfn in owned { s.scrubAndFree(mfn) }
    n.owner = s.owner.setWhere(owned) { _ in BV(constant: DecisionOwner.free) }
    n.type = s.type.setWhere(owned) { _ in BV(constant: DecisionPageType.none) }
    n.typeCount = s.typeCount.setWhere(owned) { _ in kFalse }
    n.refCount = s.refCount.setWhere(owned) { _ in kFalse }
    n.pinned = s.pinned.setWhere(owned) { _ in kFalse }
    n.validated = s.validated.setWhere(owned) { _ in kFalse }
    if bug != .keepsM2P { n.m2p = s.m2p.setWhere(owned) { _ in kFalse } }
    // s.grantTables[target] = nil
    if bug != .keepsGrantTable {
      let mine: (BV) -> Z3Bool = { k in SymState.granter(ofKey: k) .== d }
      n.gInUse = s.gInUse.setWhere(mine) { _ in kFalse }
      n.gMapCount = s.gMapCount.setWhere(mine) { _ in kFalse }
      n.gWMapCount = s.gWMapCount.setWhere(mine) { _ in kFalse }
      n.gFrames = s.gFrames.set(d, kFalse)
    }
    // allocation = 0; state = .dead
    n.allocation = s.allocation.set(d, kFalse)
    n.alive = s.alive.set(d, kFalse)
    return (r, n)
  }
}

// MARK: scheduler

/// `tick()`, the per-vCPU arithmetic: every running vCPU pays creditsPerTick (clamped),
/// and if capped pays 100 of budget and is parked at 0.
func symTick(clampCredit: Bool = true, park: Bool = true) -> SymTransition {
  { s in
    var n = s
    let running: (BV) -> Z3Bool = { v in flag(s.isRunning[v]) }
    n.credit = s.credit.setWhere(running) { v in
      clampCredit
        ? BV.smax(s.credit[v] &- s.creditsPerTick, -s.creditBound) : s.credit[v] &- s.creditsPerTick
    }
    let capped: (BV) -> Z3Bool = { v in running(v) && s.cap[v] .> 0 }
    n.capBudget = s.capBudget.setWhere(capped) { v in s.capBudget[v] &- 100 }
    if park {
      n.parked = s.parked.setWhere({ v in capped(v) && n.capBudget[v].sle(BV(constant: 0)) }) { _ in kTrue }
    }
    return (Refusals(), n)
  }
}

/// `accountStep()`, the per-vCPU arithmetic: active vCPUs earn `earned(v)` (>= 0, at most one
/// period's credit) clamped to the bounds; capped vCPUs are refilled to at most a full budget.
func symAccount(ceiling: Bool = true, active isActive: ((BV) -> Z3Bool)? = nil) -> SymTransition {
  { s in
    var n = s
    let earned = Field.fresh("account.earned")
    let active = Field.fresh("account.active")
    n.credit = s.credit.setWhere({ v in isActive?(v) ?? flag(active[v]) }) { v in
      let sum = s.credit[v] &+ earned[v]
      let low = BV.smax(sum, -s.creditBound)
      return ceiling ? BV.smin(low, s.creditBound) : low
    }
    let capped: (BV) -> Z3Bool = { v in s.cap[v] .> 0 }
    n.capBudget = s.capBudget.setWhere(capped) { v in
      let full = s.cap[v] &* s.ticksPerAccount
      return BV.smin(s.capBudget[v] &+ full, full)
    }
    n.parked = s.parked.setWhere(capped) { v in word(n.capBudget[v].sle(BV(constant: 0))) }
    return (Refusals(), n)
  }
}

/// Hypotheses about `symAccount`'s free choices: earned credit is within [0, creditBound].
func accountChoices(_ s: SymState) -> [Z3Bool] {
  let v = BV("account.v")
  let earned = Field.fresh("account.earned")
  return [forall([v], BV(constant: 0).sle(earned[v]) && earned[v].sle(s.creditBound))]
}

/// `setCap(caller:target:cap:)` for one vCPU `v` of the target.
func symSetCap(vcpu v: BV, cap c: BV, checkRange: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    if checkRange { r.guard(c .<= 100, DecisionErrno.EINVAL) }
    var n = s
    n.cap = s.cap.set(v, c)
    n.capBudget = s.capBudget.set(v, c &* s.ticksPerAccount)
    n.parked = s.parked.set(v, kFalse)
    return (r, n)
  }
}
