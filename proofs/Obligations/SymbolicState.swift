// A symbolic SpecState over UNBOUNDED frames, domains, grant entries and vCPUs, Hyperkernel
// style: every per-object field is a function from a 64-bit id to a 64-bit value, starting as an
// uninterpreted function and updated by transitions with `if id == k then v else old(id)`.
// Invariants are ∀-formulas over ids; an obligation `<operation>_<invariant>` proves
//   allInvariants(s) ∧ ¬refused(op, s) ⇒ invariant(op(s)).
// (A refused transition returns `s` itself in the Spec, so it preserves everything trivially.)
//
// Encodings are Core's (DecisionOwner, DecisionPageType, DecisionPriority); booleans are 0 / 1.

import BulkheadCore
import Z3Kit

/// One per-object field: id -> value.
struct Field {
  let at: (BV) -> BV

  /// A field with no known values (an uninterpreted function named `name`).
  static func fresh(_ name: String) -> Field {
    let f = Z3Function(name, domain: [.bitVector(64)], range: .bitVector(64))
    return Field { f($0) }
  }

  subscript(_ id: BV) -> BV { at(id) }

  /// `field[k] = v`.
  func set(_ k: BV, _ v: BV) -> Field {
    let old = at
    return Field { i in BV.ite(i .== k, v, old(i)) }
  }

  /// `if c { field[k] = v }`. A constant `c` (a proof case) leaves no `ite` behind, so the field
  /// is syntactically the old one when the update does not happen.
  func set(_ k: BV, _ v: BV, when c: Z3Bool) -> Field {
    switch c.constant {
    case false?: return self
    case true?: return set(k, v)
    case nil: return set(k, BV.ite(c, v, at(k)))
    }
  }

  /// `field[i] = cond(i) ? v(i) : field[i]` for every i at once (a loop over all objects).
  func setWhere(_ cond: @escaping (BV) -> Z3Bool, _ v: @escaping (BV) -> BV) -> Field {
    let old = at
    return Field { i in BV.ite(cond(i), v(i), old(i)) }
  }
}

extension Z3Bool {
  /// The value of a literal `true` / `false`, nil for any other formula.
  var constant: Bool? {
    if case .boolConst(let b) = term.kind { return b }
    return nil
  }
}

func word(_ b: Z3Bool) -> BV { BV.ite(b, BV(constant: 1), BV(constant: 0)) }
func flag(_ w: BV) -> Z3Bool { w .!= 0 }
let kTrue = BV(constant: 1)
let kFalse = BV(constant: 0)

/// A two-argument field: (id, index) -> value.
struct Field2 {
  let at: (BV, BV) -> BV

  static func fresh(_ name: String) -> Field2 {
    let f = Z3Function(name, domain: [.bitVector(64), .bitVector(64)], range: .bitVector(64))
    return Field2 { f($0, $1) }
  }

  subscript(_ a: BV, _ b: BV) -> BV { at(a, b) }

  /// `field[a, b] = v`.
  func set(_ a: BV, _ b: BV, _ v: BV) -> Field2 {
    let old = at
    return Field2 { x, y in BV.ite(x .== a && y .== b, v, old(x, y)) }
  }

  /// `if c { field[a, b] = v }` (see `Field.set(_:_:when:)`).
  func set(_ a: BV, _ b: BV, _ v: BV, when c: Z3Bool) -> Field2 {
    switch c.constant {
    case false?: return self
    case true?: return set(a, b, v)
    case nil: return set(a, b, BV.ite(c, v, at(a, b)))
    }
  }
}

/// The symbolic machine. Grant entries are keyed `granter << 32 | ref`.
struct SymState {
  // -- memory (FrameInfo) --
  var frameCount = BV("frameCount")
  var owner = Field.fresh("owner")
  var type = Field.fresh("type")
  var typeCount = Field.fresh("typeCount")
  var refCount = Field.fresh("refCount")
  var pinned = Field.fresh("pinned")
  var validated = Field.fresh("validated")
  /// `m2p[f] != nil`: the frame has an M2P entry (its value is not read by any invariant).
  var m2p = Field.fresh("m2p")
  // -- domains --
  var used = Field.fresh("domainUsed")  // domains[d] != nil (dead ones stay: noDomainIdReuse)
  var alive = Field.fresh("alive")
  var privileged = Field.fresh("privileged")
  var allocation = Field.fresh("allocation")
  var maxPages = Field.fresh("maxPages")
  /// Ghost state for counting (Hyperkernel's bijection): `allocSlot[d, k]` for k < allocation[d]
  /// enumerates the frames d owns, and `allocIndex[f]` is f's position in that enumeration.
  /// Together they say `allocation[d] == |{f : owner[f] == d}|` without a cardinality operator.
  var allocSlot = Field2.fresh("allocSlot")
  var allocIndex = Field.fresh("allocIndex")
  // -- grants --
  var gInUse = Field.fresh("grantInUse")
  var gGrantee = Field.fresh("grantGrantee")
  var gFrame = Field.fresh("grantFrame")
  var gReadOnly = Field.fresh("grantReadOnly")
  var gMapCount = Field.fresh("grantMapCount")
  /// How many of an entry's mappings are writable (≤ gMapCount: `grantWritableCountAt`).
  var gWMapCount = Field.fresh("grantWritableMapCount")
  /// A domain's grant-table size in frames (`grantTables[d].frames`; 0 without a table).
  var gFrames = Field.fresh("grantFrames")
  var maxGrantFrames = BV("maxGrantFrames")
  // -- scheduler (per vCPU id) --
  var creditBound = BV("creditBound")
  var creditsPerTick = BV("creditsPerTick")
  /// SpecConfig.ticksPerAccount; a constant so that `cap * ticksPerAccount` stays linear.
  var ticksPerAccount = BV(constant: 3)
  var credit = Field.fresh("credit")
  var priority = Field.fresh("priority")
  var cap = Field.fresh("cap")
  var weight = Field.fresh("weight")
  var defaultWeight = BV("defaultWeight")
  var capBudget = Field.fresh("capBudget")
  var parked = Field.fresh("parked")
  var isRunning = Field.fresh("isRunning")
  var vcpuExists = Field.fresh("vcpuExists")
  // -- event channels (EventChannelObligations.swift), per (domain, port) --
  var evtchn = SymPorts()
  // -- run queue and pCPUs (RunQueueObligations.swift) --
  var sched = SymRunQueue()
  // -- L1 page tables and their reference enumerations (PageTableObligations.swift) --
  var pt = SymPageTables()

  static func granter(ofKey k: BV) -> BV { k >> 32 }
}

/// Config ranges the Spec's SpecConfig can hold (small, positive).
func configRanges(_ s: SymState) -> [Z3Bool] {
  [
    s.frameCount .< (1 << 40), s.creditBound .<= (1 << 32), s.creditsPerTick .<= (1 << 32),
  ]
}

/// Reference counts are far below 2^62: they count references held in finitely many page-table
/// slots, CR3s and grant mappings. Assumed, not proved (README: trusted assumptions).
func countsBounded(_ s: SymState) -> Z3Bool {
  let f = BV("bound.f")
  let k = BV("bound.k")
  return forall([f], s.typeCount[f] .< (1 << 62) && s.refCount[f] .< (1 << 62))
    && forall([k], s.gMapCount[k] .< (1 << 62))
}

/// A named invariant: the Spec's name, and its symbolic (∀) statement.
struct SymInvariant: Sendable {
  let name: String
  let holds: @Sendable (SymState) -> Z3Bool
}

private func isTableType(_ t: BV) -> Z3Bool { t .>= DecisionPageType.l1 && t .<= DecisionPageType.l4 }
private func isDomainId(_ o: BV) -> Z3Bool { o .< 0x1_0000 }

/// `frameOwnership` (local part): owners are encodable; a domain-owned frame's owner is alive;
/// free frames are pristine (`FrameInfo(owner: .free)`); hypervisor frames are unreferenced;
/// live domains are within their reservation; alive implies the id is used.
let frameOwnershipInv = SymInvariant(name: "frameOwnership") { s in
  let f = BV("inv.f")
  let d = BV("inv.d")
  let o = s.owner[f]
  return forall(
    [f],
    (isDomainId(o) || o .== DecisionOwner.free || o .== DecisionOwner.hypervisor)
      && isDomainId(o).implies(flag(s.alive[o]))
      && (o .== DecisionOwner.free).implies(
        s.refCount[f] .== 0 && s.typeCount[f] .== 0 && s.type[f] .== DecisionPageType.none
          && !flag(s.pinned[f]) && !flag(s.validated[f]))
      && (o .== DecisionOwner.hypervisor).implies(
        s.refCount[f] .== 0 && s.typeCount[f] .== 0 && !flag(s.pinned[f])))
    && forall(
      [d],
      flag(s.alive[d]).implies(isDomainId(d) && flag(s.used[d]) && s.allocation[d] .<= s.maxPages[d] && s.maxPages[d] .< (1 << 62)))
}

/// `frameOwnership` (counting part, 1/2): every owned frame has a position below its owner's
/// allocation, and the enumeration maps it back.
func frameOwnershipAt(_ s: SymState, _ f: BV) -> Z3Bool {
  let o = s.owner[f]
  return (isDomainId(o) || o .== DecisionOwner.free || o .== DecisionOwner.hypervisor)
    && isDomainId(o).implies(flag(s.alive[o]))
}

let allocationIndexInv = SymInvariant(name: "allocationIndex") { s in
  let f = BV("count.f")
  return forall([f], allocationIndexAt(s, f))
}

/// allocationIndex at one frame (also used to hand Z3 an instance it is slow to find).
func allocationIndexAt(_ s: SymState, _ f: BV) -> Z3Bool {
  let o = s.owner[f]
  return isDomainId(o).implies(s.allocIndex[f] .< s.allocation[o] && s.allocSlot[o, s.allocIndex[f]] .== f)
}

/// allocationSlots at one (domain, position).
func allocationSlotsAt(_ s: SymState, _ d: BV, _ k: BV) -> Z3Bool {
  (flag(s.alive[d]) && k .< s.allocation[d]).implies(
    s.owner[s.allocSlot[d, k]] .== d && s.allocIndex[s.allocSlot[d, k]] .== k)
}

/// `frameOwnership` (counting part, 2/2): every position below a live domain's allocation holds
/// one of its frames, whose position it is. With allocationIndex: allocation[d] == |owned(d)|.
let allocationSlotsInv = SymInvariant(name: "allocationSlots") { s in
  let d = BV("count.d")
  let k = BV("count.k")
  return forall(
    [d, k],
    (flag(s.alive[d]) && k .< s.allocation[d]).implies(
      s.owner[s.allocSlot[d, k]] .== d && s.allocIndex[s.allocSlot[d, k]] .== k))
}

/// `typeSafety` (frame-local part): untyped iff count 0; validated iff a table type; pinned
/// frames are tables; types are encodable.
let typeSafetyInv = SymInvariant(name: "typeSafety") { s in
  let f = BV("inv.f")
  return forall(
    [f],
    (s.type[f] .== DecisionPageType.none).iff(s.typeCount[f] .== 0)
      && flag(s.validated[f]).iff(isTableType(s.type[f]))
      && flag(s.pinned[f]).implies(isTableType(s.type[f]))
      && s.type[f] .<= DecisionPageType.shared)
}

/// `grantConsistency` (entry part): an entry in use belongs to a live granter and names a frame
/// the granter owns; a mapped entry is in use.
let grantConsistencyInv = SymInvariant(name: "grantConsistency") { s in
  let k = BV("inv.k")
  return forall([k], grantEntryAt(s, k))
}

/// `grantConsistency` (entry part) at key k.
func grantEntryAt(_ s: SymState, _ k: BV) -> Z3Bool {
  let g = SymState.granter(ofKey: k)
  return flag(s.gInUse[k]).implies(flag(s.alive[g]) && s.owner[s.gFrame[k]] .== g && s.gFrame[k] .< s.frameCount)
    && (s.gMapCount[k] .!= 0).implies(flag(s.gInUse[k]))
}

/// `grantTables[d].frames * grantEntriesPerFrame`, for SpecConfig's 512 entries per frame (a
/// shift, so the product stays linear).
func grantCapacity(_ s: SymState, _ d: BV) -> BV { s.gFrames[d] << 9 }

/// `grantConsistency` (range part) at x, read both as a grant key and as a domain: an entry in
/// use lies within its granter's set-up table, and no table is larger than the configured
/// maximum. (Keys are `granter << 32 | ref`.)
func grantRangeAt(_ s: SymState, _ x: BV) -> Z3Bool {
  flag(s.gInUse[x]).implies((x & 0xFFFF_FFFF) .< grantCapacity(s, SymState.granter(ofKey: x)))
    && s.gFrames[x] .<= s.maxGrantFrames
}
let grantRangeInv = SymInvariant(name: "grantRange") { s in
  let x = BV("inv.x")
  return forall([x], grantRangeAt(s, x)) && s.maxGrantFrames .< (1 << 16)
}

/// `creditBounds`: every vCPU's credit is within -creditBound...creditBound.
let creditBoundsInv = SymInvariant(name: "creditBounds") { s in
  let v = BV("inv.v")
  return forall(
    [v], (-s.creditBound).sle(s.credit[v]) && s.credit[v].sle(s.creditBound)
      && (s.weight[v] .>= 1 && s.weight[v] .<= 65535))
}

/// `capRespected`: cap in 0...100; uncapped means unparked with budget 0; capped means budget
/// in -99...cap*ticksPerAccount and parked exactly when the budget is used up.
let capRespectedInv = SymInvariant(name: "capRespected") { s in
  let v = BV("inv.v")
  let c = s.cap[v]
  let b = s.capBudget[v]
  let full = c &* s.ticksPerAccount
  return forall(
    [v],
    c .<= 100
      && (c .== 0).implies(!flag(s.parked[v]) && b .== 0)
      && (c .!= 0).implies(
        BV(constant: 0 &- 99).sle(b) && b.sle(full) && flag(s.parked[v]).iff(b.sle(BV(constant: 0)))))
}

/// `onlyRunnableRun` (the part the scheduler arithmetic needs): a running vCPU is not parked.
let onlyRunnableRunInv = SymInvariant(name: "onlyRunnableRun") { s in
  let v = BV("inv.v")
  return forall([v], flag(s.isRunning[v]).implies(!flag(s.parked[v]) && flag(s.vcpuExists[v])))
}

let memoryInvariants = [frameOwnershipInv, typeSafetyInv, grantConsistencyInv]
let countingInvariants = [frameOwnershipInv, allocationIndexInv, allocationSlotsInv]
let schedulerInvariants = [creditBoundsInv, capRespectedInv]
