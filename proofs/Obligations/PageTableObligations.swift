// mmuUpdate_ / updateVaMapping_ / mmuextOpPinL1_ / mmuextOpUnpinL1_ × referenceCounts,
// typeSafety, isolation: one page-table entry update at level 1, and pinning / unpinning an L1,
// keep every frame's reference counts EXACT, for unboundedly many frames and tables. And (MARK
// frameOwnership, at the end) the same steps and grantCopy × frameOwnership, point-wise.
//
// Exact counting, Hyperkernel-style. A *slot* is entry i of frame t, encoded `t << 9 | i`. A slot
// is *live* when t is an L1 (type l1, so validated with a count > 0) and the entry is present; a
// live slot holds one general reference on its target frame, and one `writable` typed reference
// too when its R/W bit is set. For every frame f two ghost enumerations count them:
//
//   refSlot[f, k], k < l1Refs[f]   the live slots targeting f      refIndex[slot]  its position
//   wSlot[f, k],   k < wRefs[f]    the live R/W slots targeting f   wIndex[slot]    its position
//
// (`refIndexInv`: every live slot sits at its position below the count; `refSlotsInv`: every
// position below the count holds a live slot targeting f, at that position. Together: l1Refs[f] is
// the number of live slots targeting f, with no cardinality operator.) Then
//
//   refCount[f]  == l1Refs[f] + pinned[f] + extRefs[f]
//   typeCount[f] == wRefs[f]  + pinned[f] + extTyped[f]        wRefs[f] != 0  ⇒  type[f] == writable
//
// where `extRefs` / `extTyped` are the references held by L2–L4 entries, CR3s and grant mappings,
// which the steps below leave alone (they are not enumerated: see proofs/README.md).
//
// Covered: `mmuUpdateOne` on an L1 table (modEntry at level 1) or on a data frame (the transient
// writable reference), `updateVaMapping` (modEntry at level 1 on the slot the walk reaches, any
// slot: the walk is over-approximated), `mmuextOpOne(.pinTable(.l1, t))` on a frame that already
// is an L1 (type count > 0: no validation) and `.unpinTable(t)` that leaves the count > 0 (no
// un-validation); pinning an L1 with validation and unpinning one with un-validation, each as its
// start, ONE iteration of its loop over the entries (a ghost cursor, `SymPageTables.validating` /
// `.unvalidating`, and the mid-loop invariants it defines), the loop's end and the pin's or
// unpin's end. Pinning / unpinning an L2–L4 table whose type is already held is the same step as
// for an L1. Entries of L2–L4 tables, recursive (un)validation and new_baseptr: UpperEntry-,
// RecursiveValidation- and CR3Obligations.swift.

import BulkheadCore
import Z3Kit

/// L1 page-table contents and the reference enumerations.
struct SymPageTables {
  /// `contents[t][i]`: the raw entry.
  var pte = Field2.fresh("pt.entry")
  var l1Refs = Field.fresh("pt.l1Refs")
  var refSlot = Field2.fresh("pt.refSlot")
  var refIndex = Field.fresh("pt.refIndex")
  var wRefs = Field.fresh("pt.wRefs")
  var wSlot = Field2.fresh("pt.wSlot")
  var wIndex = Field.fresh("pt.wIndex")
  /// References held by L2–L4 entries, CR3s and grant mappings (not stepped here).
  var extRefs = Field.fresh("pt.extRefs")
  var extTyped = Field.fresh("pt.extTyped")
  /// `grantAllows(d, f, writable: false / true)`.
  var grantRead = Field2.fresh("pt.grantRead")
  var grantWrite = Field2.fresh("pt.grantWrite")
  /// Ghost: for a permission `grantRead[d, f]`, the grant entry of one of d's mappings of f, its
  /// witness (`grantMappingAt`, GrantMappingObligations.swift).
  var grantKey = Field2.fresh("pt.grantKey")
  /// Ghost: for a permission `grantWrite[d, f]`, the grant entry of one of d's writable mappings
  /// of f, its witness.
  var grantWKey = Field2.fresh("pt.grantWKey")
  /// Ghost, during an L1's validation loop only (`getPageType(.l1)` at count 0, for a pin or for an
  /// L2 entry taking its references): the L1 being validated
  /// and its cursor, entries below which have taken their references. nil outside the loop, i.e.
  /// every L1 is fully validated: the invariants below are then exactly the ones without a cursor.
  var validating: (frame: BV, cursor: BV)? = nil
  /// Ghost, during an L1's un-validation loop only (`putPageType` reaching 0, for an unpin or for an
  /// L2 entry releasing its references): the former L1
  /// (now untyped) and its cursor; entries at or above it still hold their references.
  var unvalidating: (frame: BV, cursor: BV)? = nil
  /// Ghost, during a pin with validation only: the frame whose pin has taken its general and
  /// typed references (getPage; getPageType at count 0) though `pinned` is set only at the pin's
  /// end (`symPinFinish`). `active` is symbolic in a validation loop's iteration: the same loop
  /// runs inside a pin, and inside a validation an entry or a CR3 load started (no pin).
  var pinning: (frame: BV, active: Z3Bool)? = nil
  /// Ghost, during an unpin with un-validation only: the frame whose unpin has cleared `pinned`
  /// and dropped the pin's typed reference, but holds its general one until the unpin's end
  /// (`symUnpinFinish`). `active` as for `pinning`.
  var unpinning: (frame: BV, active: Z3Bool)? = nil
  /// Ghost, from domainDestroy's release loop to its teardown only (DestroyPTObligations.swift):
  /// the domain being destroyed, whose L1 entries to frames it does not own have released their
  /// references (putEntryReferences) while staying present: those whose slot encoding is below
  /// `below` (the loop's cursor), or all of them (nil: after the loop). nil elsewhere: none.
  var released: (domain: BV, below: BV?)? = nil
  /// The vCPUs' CR3s and their enumeration (CR3Obligations.swift); none of the steps here writes them.
  var cr3 = SymCR3s()
  /// The L2–L4 entries' references, by holder (UpperHolderObligations.swift); likewise.
  var upper = SymEnumeration("upper")
  /// Per frame: general references of released upper entries waiting for their putPage (the
  /// frame's un-validation runs first; UpperHolderObligations.swift).
  var pendingPut = Field.fresh("pt.pendingPut")
  /// Grant mappings as objects (id `holder << 32 | handle`), enumerated by frame and by grant
  /// entry, read-only and writable apart (GrantMappingObjects.swift).
  var mapFrameR = SymEnumeration("map.frameR"), mapFrameW = SymEnumeration("map.frameW")
  var mapKeyR = SymEnumeration("map.keyR"), mapKeyW = SymEnumeration("map.keyW")
}

func ptSlot(_ t: BV, _ i: BV) -> BV { (t << 9) | i }
func ptSlotTable(_ x: BV) -> BV { x >> 9 }
func ptSlotIndex(_ x: BV) -> BV { x & 511 }

func isTable(_ t: BV) -> Z3Bool { t .>= DecisionPageType.l1 && t .<= DecisionPageType.l4 }

/// Entry i of t holds references: t is an L1 and the entry is present.
func ptLive(_ s: SymState, _ t: BV, _ i: BV) -> Z3Bool {
  let live = s.type[t] .== DecisionPageType.l1 && i .< 512 && SymPTE.isPresent(s.pt.pte[t, i])
  // mid-validation: only the entries below the cursor of the frame being validated hold references
  var holds = live
  if let v = s.pt.validating { holds = holds && (t .== v.frame).implies(i .< v.cursor) }
  // mid-un-validation: the frame is untyped, its entries from the cursor on not yet released
  if let u = s.pt.unvalidating {
    holds = holds || (t .== u.frame && u.cursor .<= i && i .< 512 && SymPTE.isPresent(s.pt.pte[t, i]))
  }
  // after domainDestroy's release loop: the target's entries to foreign frames hold no references
  if let r = s.pt.released {
    let d = r.domain
    let done = r.below.map { ptSlot(t, i) .< $0 } ?? .true
    holds = holds && !(s.owner[t] .== d && s.owner[ptTarget(s, t, i)] .!= d && done)
  }
  return holds
}
func ptLiveW(_ s: SymState, _ t: BV, _ i: BV) -> Z3Bool { ptLive(s, t, i) && SymPTE.isWritable(s.pt.pte[t, i]) }
func ptTarget(_ s: SymState, _ t: BV, _ i: BV) -> BV { SymPTE.frame(s.pt.pte[t, i]) }

// MARK: invariants, at one point (frame f, slot (t, i), or enumeration position (f, k))

/// `referenceCounts`, the counting equations at frame f.
func refCountsAtFrame(_ s: SymState, _ f: BV) -> Z3Bool {
  // a pin mid-validation already holds its two references (getPage, getPageType at count 0),
  // though `pinned` is set only at its end; an unpin mid-un-validation still holds the general
  // one (putPage at its end)
  var refPin = flag(s.pinned[f]), typePin = flag(s.pinned[f])
  if let p = s.pt.pinning { (refPin, typePin) = (refPin || (p.active && f .== p.frame), typePin || (p.active && f .== p.frame)) }
  if let u = s.pt.unpinning { refPin = refPin || (u.active && f .== u.frame) }
  return s.refCount[f] .== s.pt.l1Refs[f] &+ word(refPin) &+ s.pt.extRefs[f]
    && s.typeCount[f] .== s.pt.wRefs[f] &+ word(typePin) &+ s.pt.extTyped[f]
    && (s.pt.wRefs[f] .!= 0).implies(s.type[f] .== DecisionPageType.writable)
}

/// One of a frame's two enumerations: its live referencing slots, or its live R/W ones.
enum EnumPart: CaseIterable { case refs, writable }

/// The count, position and slot fields of one enumeration, and its liveness.
private func enumeration(_ s: SymState, _ p: EnumPart) -> (count: Field, slot: Field2, index: Field, live: (BV, BV) -> Z3Bool) {
  switch p {
  case .refs: return (s.pt.l1Refs, s.pt.refSlot, s.pt.refIndex, { ptLive(s, $0, $1) })
  case .writable: return (s.pt.wRefs, s.pt.wSlot, s.pt.wIndex, { ptLiveW(s, $0, $1) })
  }
}

/// `refIndexAtSlot(_:_:_:to:)`, one enumeration.
func refIndexAtSlot(_ s: SymState, _ t: BV, _ i: BV, to f: BV, _ p: EnumPart) -> Z3Bool {
  let x = ptSlot(t, i)
  let (count, slot, index, live) = enumeration(s, p)
  return (live(t, i) && ptTarget(s, t, i) .== f).implies(index[x] .< count[f] && slot[f, index[x]] .== x)
}

/// `refSlotsAtPosition`, one enumeration.
func refSlotsAtPosition(_ s: SymState, _ f: BV, _ k: BV, _ p: EnumPart) -> Z3Bool {
  let (count, slot, index, live) = enumeration(s, p)
  let x = slot[f, k]
  let (xt, xi) = (ptSlotTable(x), ptSlotIndex(x))
  return (k .< count[f]).implies(xt .< s.frameCount && live(xt, xi) && ptTarget(s, xt, xi) .== f && index[x] .== k)
}

/// `referenceCounts`, the enumerations at slot (t, i): a live slot is enumerated by its target.
func refIndexAtSlot(_ s: SymState, _ t: BV, _ i: BV) -> Z3Bool { refIndexAtSlot(s, t, i, to: ptTarget(s, t, i)) }

/// The same, for a slot whose target is f (true when it is not). With f a given term instead of
/// the entry's frame, a claim and a hypothesis at the same f read the same count terms.
func refIndexAtSlot(_ s: SymState, _ t: BV, _ i: BV, to f: BV) -> Z3Bool {
  let x = ptSlot(t, i)
  let here = ptTarget(s, t, i) .== f
  return (ptLive(s, t, i) && here).implies(s.pt.refIndex[x] .< s.pt.l1Refs[f] && s.pt.refSlot[f, s.pt.refIndex[x]] .== x)
    && (ptLiveW(s, t, i) && here).implies(s.pt.wIndex[x] .< s.pt.wRefs[f] && s.pt.wSlot[f, s.pt.wIndex[x]] .== x)
}

/// `referenceCounts`, the enumerations at position k of frame f: it holds a live slot targeting f.
func refSlotsAtPosition(_ s: SymState, _ f: BV, _ k: BV) -> Z3Bool {
  let x = s.pt.refSlot[f, k], y = s.pt.wSlot[f, k]
  let (xt, xi) = (ptSlotTable(x), ptSlotIndex(x))
  let (yt, yi) = (ptSlotTable(y), ptSlotIndex(y))
  return (k .< s.pt.l1Refs[f]).implies(
    xt .< s.frameCount && ptLive(s, xt, xi) && ptTarget(s, xt, xi) .== f && s.pt.refIndex[x] .== k)
    && (k .< s.pt.wRefs[f]).implies(
      yt .< s.frameCount && ptLiveW(s, yt, yi) && ptTarget(s, yt, yi) .== f && s.pt.wIndex[y] .== k)
}

/// `typeSafety` at frame f (frame-local part): untyped iff count 0; validated iff a table;
/// pinned frames are tables; only existing frames are typed.
func typeSafetyAtFrame(_ s: SymState, _ f: BV) -> Z3Bool {
  (s.type[f] .== DecisionPageType.none).iff(s.typeCount[f] .== 0)
    && flag(s.validated[f]).iff(isTable(s.type[f]))
    && flag(s.pinned[f]).implies(isTable(s.type[f]))
    && s.type[f] .<= DecisionPageType.shared
    && (s.type[f] .!= DecisionPageType.none).implies(f .< s.frameCount)
    && (s.pt.validating.map { (f .== $0.frame).implies(s.type[f] .== DecisionPageType.l1) } ?? .true)
    && (s.pt.unvalidating.map { (f .== $0.frame).implies(s.type[f] .== DecisionPageType.none && f .< s.frameCount) } ?? .true)
    // a pin in progress: of a table, not yet pinned; an unpin in progress: no longer pinned
    && (s.pt.pinning.map { ($0.active && f .== $0.frame).implies(isTable(s.type[f]) && !flag(s.pinned[f])) } ?? .true)
    && (s.pt.unpinning.map { ($0.active && f .== $0.frame).implies(!flag(s.pinned[f]) && f .< s.frameCount) } ?? .true)
}

/// `typeSafety` at slot (t, i), the L1 part: a live R/W entry targets a frame typed `writable`
/// (so never a page table).
func typeSafetyAtSlot(_ s: SymState, _ t: BV, _ i: BV) -> Z3Bool {
  ptLiveW(s, t, i).implies(s.type[ptTarget(s, t, i)] .== DecisionPageType.writable)
}

/// `isolation` at slot (t, i), the L1 part: a live entry of d's L1 maps an existing non-hypervisor
/// frame that d owns, or one d holds a grant mapping of (writable only if the mapping is).
func isolationAtSlot(_ s: SymState, _ t: BV, _ i: BV) -> Z3Bool {
  let d = s.owner[t], f = ptTarget(s, t, i)
  let own = s.owner[f] .== d
  let granted = flag(s.pt.grantRead[d, f]) && SymPTE.isWritable(s.pt.pte[t, i]).implies(flag(s.pt.grantWrite[d, f]))
  return ptLive(s, t, i).implies(
    d .< 0x1_0000 && f .< s.frameCount && s.owner[f] .!= DecisionOwner.hypervisor && (own || granted))
}

/// An invariant by its point forms.
struct PTInvariant: Sendable {
  let name: String
  /// The ground goal's hypotheses: instances of these invariants (names; nil: all) at the step's
  /// own slot and frames and the claim's points only (`localTerms`), or also at the terms the
  /// enumeration move reaches. Fewer hypotheses are still a proof, and Z3 bit-blasts every term
  /// it is given, so a claim that needs only the counting equations gets only those.
  var assumes: [String]? = nil
  var localTerms = false
  var atFrame: @Sendable (SymState, BV) -> Z3Bool = { _, _ in .true }
  var atSlot: @Sendable (SymState, BV, BV) -> Z3Bool = { _, _, _ in .true }
  /// `atSlot` for a slot targeting a given frame (true otherwise), if the invariant has that
  /// form: the slot claim is then made per touched target frame (see `PTStep.claimFrames`).
  var atSlotTo: (@Sendable (SymState, BV, BV, BV) -> Z3Bool)? = nil
  var atPosition: @Sendable (SymState, BV, BV) -> Z3Bool = { _, _, _ in .true }
}

/// The three parts of referenceCounts, proved separately (as allocationIndex / allocationSlots
/// for the allocation count): the equations, "every live slot is enumerated", "every enumerated
/// position is a live slot".
let referenceCountsEquationsPT = PTInvariant(
  name: "referenceCounts", assumes: ["referenceCounts", "referenceIndex"], localTerms: true, atFrame: refCountsAtFrame)
let referenceIndexPT = PTInvariant(
  name: "referenceIndex", assumes: ["referenceIndex", "referenceSlots", "typeSafety"], atSlot: refIndexAtSlot,
  atSlotTo: refIndexAtSlot)
let referenceSlotsPT = PTInvariant(
  name: "referenceSlots", assumes: ["referenceIndex", "referenceSlots", "typeSafety"], atPosition: refSlotsAtPosition)
let typeSafetyPT = PTInvariant(name: "typeSafety", atFrame: typeSafetyAtFrame, atSlot: typeSafetyAtSlot)
let isolationPT = PTInvariant(name: "isolation", atSlot: isolationAtSlot)
let pageTableInvariants = [referenceCountsEquationsPT, referenceIndexPT, referenceSlotsPT, typeSafetyPT, isolationPT]

// MARK: transitions

/// Checks or updates a page-table mutant may drop.
enum PTBug: Equatable {
  case none, copiesIntoPageTable, noPutPage, noTypeCheck, noOwnerCheck, noTableOwnerCheck, noTableTypeCheck, noGetPage
  case noPinnedCheck, noValidatedFlag, startsMidway, finishesEarly, noPinFlag
  /// frameOwnership's: the table's `checkOwned` dropped; an absent entry's target released.
  case noCheckOwned, releasesAbsentEntry
}

/// Removes slot x from frame a's enumeration (count, slot, index) and appends it to frame b's.
func moveInEnumeration(
  count: Field, slot: Field2, index: Field, x: BV, from a: BV, removing: Z3Bool, to b: BV, adding: Z3Bool
) -> (Field, Field2, Field) {
  // remove: the last slot of a's enumeration takes x's position
  let k = index[x]
  let last = slot[a, count[a] &- 1]
  let c2 = count.set(a, count[a] &- 1, when: removing)
  let s2 = slot.set(a, k, last, when: removing)
  let i2 = index.set(last, k, when: removing)
  // add: x takes the next position of b's enumeration
  return (c2.set(b, c2[b] &+ 1, when: adding), s2.set(b, c2[b], x, when: adding), i2.set(x, c2[b], when: adding))
}

/// `putPageType(mfn)` for a non-table type (no un-validation). `retypes` false: a mutant's, the
/// type kept at count 0.
func symPutPageTypeFlat(_ s: SymState, _ mfn: BV, when c: Z3Bool, retypes: Bool = true) -> SymState {
  var n = s
  let count = s.typeCount[mfn] &- 1
  n.typeCount = s.typeCount.set(mfn, count, when: c)
  if c.constant == false || !retypes { return n }
  n.type = s.type.set(mfn, BV.ite(c && count .== 0, BV(constant: DecisionPageType.none), s.type[mfn]))
  n.validated = s.validated.set(mfn, BV.ite(c && count .== 0, kFalse, s.validated[mfn]))
  return n
}

/// putEntryReferences(e, at: .l1) of slot x whose entry is left in place (a loop releasing a
/// table's entries): if R/W putPageType(a), if present putPage(a) (`putPage` false: a mutant's
/// leak; `retypes` false: its type kept at count 0), and x leaves a's enumerations.
func symReleaseSlot(
  _ s: SymState, slot x: BV, target a: BV, present: Z3Bool, rw: Z3Bool, putPage: Bool = true, retypes: Bool = true
) -> SymState {
  var n = symPutPageTypeFlat(s, a, when: rw, retypes: retypes)
  if putPage { n.refCount = n.refCount.set(a, n.refCount[a] &- 1, when: present) }
  (n.pt.l1Refs, n.pt.refSlot, n.pt.refIndex) = moveInEnumeration(
    count: s.pt.l1Refs, slot: s.pt.refSlot, index: s.pt.refIndex, x: x, from: a, removing: present, to: a, adding: .false)
  (n.pt.wRefs, n.pt.wSlot, n.pt.wIndex) = moveInEnumeration(
    count: s.pt.wRefs, slot: s.pt.wSlot, index: s.pt.wIndex, x: x, from: a, removing: rw, to: a, adding: .false)
  return n
}

/// What an entry is, for proofs by cases.
enum EntryKind: CaseIterable { case absent, readOnly, writable }

/// One case of an entry update: the kinds of the old and new entries, whether they target the
/// same frame (nil: either way, when one is absent), and for mmuUpdate whether the table is an
/// L1. The case's conditions become hypotheses of the step and its `ite`s become constants, and
/// with the same target the new entry's frame *is* the old one's term, so the counts at that
/// frame are sums of the same terms (Z3 normalises them; as two terms known equal it cannot).
struct ModEntryCase {
  var old: EntryKind
  var new: EntryKind
  var sameTarget: Bool?
  var isL1 = true

  /// Every case of modEntry, a partition: 3 × 3 kinds, split on the target when both present.
  static let all: [ModEntryCase] = EntryKind.allCases.flatMap { o in
    EntryKind.allCases.flatMap { n in
      o == .absent || n == .absent
        ? [ModEntryCase(old: o, new: n, sameTarget: nil)]
        : [true, false].map { ModEntryCase(old: o, new: n, sameTarget: $0) }
    }
  }
}

/// `.pinTable(_, t)`'s checks, before any validation: a live caller, checkOwned(t) (EPERM /
/// EINVAL), not already pinned (EINVAL).
func symPinChecks(_ r: inout Refusals, _ s: SymState, caller d: BV, table t: BV, checkOwned: Bool = true) {
  symCallerDomain(&r, s, d)
  if checkOwned { symCheckOwned(&r, s, t, by: d) }
  r.guard(!flag(s.pinned[t]), DecisionErrno.EINVAL)
}

/// `.unpinTable(t)`'s checks: a live caller, checkOwned(t), pinned (EINVAL).
func symUnpinChecks(_ r: inout Refusals, _ s: SymState, caller d: BV, table t: BV, checkPinned: Bool = true) {
  symCallerDomain(&r, s, d)
  symCheckOwned(&r, s, t, by: d)
  if checkPinned { r.guard(flag(s.pinned[t]), DecisionErrno.EINVAL) }
}

/// Pins the conditions of an entry of kind `k` to constants, assuming the case.
func known(_ r: inout Refusals, _ k: EntryKind, present: inout Z3Bool, rw: inout Z3Bool) {
  r.assume(present.iff(k != .absent ? .true : .false))
  r.assume(rw.iff(k == .writable ? .true : .false))
  present = k != .absent ? .true : .false
  rw = k == .writable ? .true : .false
}

/// `modEntry(t, i, new, at: .l1, for: d)`: getEntryReferences(new) (checks, getPage, and for R/W
/// getPageType(.writable)), setEntry, putEntryReferences(old). Plus the ghost enumerations.
/// `known`: the step restricted to one case (proofs by cases), nil: all of them.
func symModEntryL1(
  _ r: inout Refusals, _ s: SymState, table t: BV, index i: BV, new e: BV, for d: BV, bug: PTBug = .none,
  known c: ModEntryCase? = nil
) -> SymState {
  let old = s.pt.pte[t, i]
  var newPresent = SymPTE.isPresent(e), newRW = newPresent && SymPTE.isWritable(e)
  var oldPresent = SymPTE.isPresent(old), oldRW = oldPresent && SymPTE.isWritable(old)
  var b = SymPTE.frame(e)
  let a = SymPTE.frame(old)
  if let c {
    known(&r, c.old, present: &oldPresent, rw: &oldRW)
    known(&r, c.new, present: &newPresent, rw: &newRW)
    if let same = c.sameTarget {
      // both orientations, as the updates' `if id == k` test them: Z3 substitutes the literal
      r.assume((b .== a).iff(same ? .true : .false))
      r.assume((a .== b).iff(same ? .true : .false))
      if same { b = a }
    }
  }
  // getEntryReferences(new, at: .l1, for: d): checks
  symEntryChecksL1(&r, s, e, target: b, present: newPresent, rw: newRW, for: d, bug: bug)
  var n = s
  // getPage(b); if rw { getPageType(b, .writable) }
  n.refCount = s.refCount.set(b, s.refCount[b] &+ 1, when: newPresent)
  n.typeCount = s.typeCount.set(b, s.typeCount[b] &+ 1, when: newRW)
  n.type = s.type.set(b, BV(constant: DecisionPageType.writable), when: newRW)
  // setEntry(t, i, new)
  n.pt.pte = s.pt.pte.set(t, i, e)
  // putEntryReferences(old, at: .l1): if rw { putPageType(a) }; putPage(a)
  n = symPutPageTypeFlat(n, a, when: oldRW)
  if bug != .noPutPage {
    n.refCount = n.refCount.set(a, n.refCount[a] &- 1, when: oldPresent)
  }
  // ghost: slot (t, i) leaves a's enumerations and joins b's
  let x = ptSlot(t, i)
  (n.pt.l1Refs, n.pt.refSlot, n.pt.refIndex) = moveInEnumeration(
    count: s.pt.l1Refs, slot: s.pt.refSlot, index: s.pt.refIndex, x: x, from: a, removing: oldPresent, to: b, adding: newPresent)
  (n.pt.wRefs, n.pt.wSlot, n.pt.wIndex) = moveInEnumeration(
    count: s.pt.wRefs, slot: s.pt.wSlot, index: s.pt.wIndex, x: x, from: a, removing: oldRW, to: b, adding: newRW)
  return n
}

/// The checks of `getEntryReferences(e, at: .l1, for: d)` for a present entry with target b.
private func symEntryChecksL1(
  _ r: inout Refusals, _ s: SymState, _ e: BV, target b: BV, present: Z3Bool, rw: Z3Bool, for d: BV, bug: PTBug
) {
  r.when(present) { r in
    r.guard((e & ~DecisionPTE.frameMask & ~DecisionPTE.l1Allowed) .== 0, DecisionErrno.EINVAL)  // Rule.noReservedBits
    r.guard(b .< s.frameCount, DecisionErrno.EINVAL)
    r.throwIf(s.owner[b] .== DecisionOwner.hypervisor, DecisionErrno.EPERM)  // Rule.noHypervisorFrames
    if bug != .noOwnerCheck {
      r.when(s.owner[b] .!= d) { r in  // Rule.ownFramesOnly, grant clause
        r.guard(flag(s.pt.grantRead[d, b]), DecisionErrno.EINVAL)
        r.guard(!rw || flag(s.pt.grantWrite[d, b]), DecisionErrno.EPERM)
      }
    }
    if bug != .noTypeCheck {
      r.when(rw && s.typeCount[b] .> 0) { r in
        r.guard(s.type[b] .== DecisionPageType.writable, DecisionErrno.EINVAL)  // type conflict
      }
    }
  }
}

/// `mmuextOpOne(caller:, .pinTable(.l1, t))` on a frame whose type count is 0, up to its
/// validation loop: checkOwned; not pinned (EINVAL); getPage; getPageType(.l1) at count 0 takes
/// the type (l1, count 1, validated) and starts the loop (ghost cursor 0); ghost: the pin is in
/// progress (its references are taken, `pinned` is not yet set).
func symPinL1Start(caller d: BV, table t: BV, bug: PTBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symPinChecks(&r, s, caller: d, table: t, checkOwned: bug != .noCheckOwned)
    var n = s
    if bug != .noGetPage { n.refCount = s.refCount.set(t, s.refCount[t] &+ 1) }
    n.type = s.type.set(t, BV(constant: DecisionPageType.l1))
    n.typeCount = s.typeCount.set(t, BV(constant: 1))
    if bug != .noValidatedFlag { n.validated = s.validated.set(t, kTrue) }
    n.pt.validating = (t, bug == .startsMidway ? BV("badCursor") : BV(constant: 0))
    n.pt.pinning = (t, .true)
    return (r, n)
  }
}

/// One iteration of the validation loop (`for (_, e) in contents[t] where present`, in index
/// order): entry `cursor` of the L1 t being validated, if present, takes its references
/// (getEntryReferences(e, at: .l1, for: owner): the checks, getPage, for R/W getPageType(.writable));
/// the cursor moves on. A refusal aborts the whole pin (the transaction returns the pre-pin state).
func symValidateL1Entry(bug: PTBug = .none, known k: EntryKind? = nil) -> SymTransition {
  { s in
    var r = Refusals()
    let (t, i) = s.pt.validating!
    let d = s.owner[t]  // the pin's caller (checkOwned) or the L2 entry's domain; owners do not change
    let e = s.pt.pte[t, i]
    var present = SymPTE.isPresent(e), rw = present && SymPTE.isWritable(e)
    if let k { known(&r, k, present: &present, rw: &rw) }
    let b = SymPTE.frame(e)
    symEntryChecksL1(&r, s, e, target: b, present: present, rw: rw, for: d, bug: bug)
    var n = s
    if bug != .noGetPage { n.refCount = s.refCount.set(b, s.refCount[b] &+ 1, when: present) }
    n.typeCount = s.typeCount.set(b, s.typeCount[b] &+ 1, when: rw)
    n.type = s.type.set(b, BV(constant: DecisionPageType.writable), when: rw)
    // ghost: the slot joins b's enumerations; the cursor moves on
    let x = ptSlot(t, i)
    (n.pt.l1Refs, n.pt.refSlot, n.pt.refIndex) = moveInEnumeration(
      count: s.pt.l1Refs, slot: s.pt.refSlot, index: s.pt.refIndex, x: x, from: b, removing: .false, to: b, adding: present)
    (n.pt.wRefs, n.pt.wSlot, n.pt.wIndex) = moveInEnumeration(
      count: s.pt.wRefs, slot: s.pt.wSlot, index: s.pt.wIndex, x: x, from: b, removing: .false, to: b, adding: rw)
    n.pt.validating = (t, i &+ 1)
    return (r, n)
  }
}

/// The end of an L1's validation loop (cursor 512: every entry validated), whoever started it
/// (a pin, or getPageType(.l1) at count 0 for an L2 entry): the ghost cursor goes.
func symValidateL1Finish() -> SymTransition {
  { s in
    var n = s
    n.pt.validating = nil
    return (Refusals(), n)
  }
}

/// The end of a pin after its validation (of any level): pinned = true.
func symPinFinish(bug: PTBug = .none) -> SymTransition {
  { s in
    let t = s.pt.pinning!.frame
    var n = s
    if bug != .noPinFlag { n.pinned = s.pinned.set(t, kTrue) }
    n.pt.pinning = nil
    return (Refusals(), n)
  }
}

/// `mmuextOpOne(caller:, .unpinTable(t))` of an L1 whose type count is 1 (the pin's: hypothesis),
/// up to its un-validation loop: checkOwned; pinned (EINVAL); pinned = false; putPageType reaches
/// 0: untyped, not validated, and starts releasing the entries (ghost cursor 0); ghost: the unpin
/// is in progress (it still holds the pin's general reference).
func symUnpinL1Start(caller d: BV, table t: BV, bug: PTBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symUnpinChecks(&r, s, caller: d, table: t, checkPinned: bug != .noPinnedCheck)
    var n = s
    n.pinned = s.pinned.set(t, kFalse)
    n.typeCount = s.typeCount.set(t, s.typeCount[t] &- 1)
    n.type = s.type.set(t, BV(constant: DecisionPageType.none))
    if bug != .noValidatedFlag { n.validated = s.validated.set(t, kFalse) }
    n.pt.unvalidating = (t, BV(constant: 0))
    n.pt.unpinning = (t, .true)
    return (r, n)
  }
}

/// One iteration of the un-validation loop: entry `cursor` of the frame, if present, releases its
/// references (putEntryReferences(e, at: .l1): for R/W putPageType(target), a `writable` frame,
/// so no recursion; putPage(target)); the cursor moves on.
func symUnvalidateL1Entry(bug: PTBug = .none, known k: EntryKind? = nil) -> SymTransition {
  { s in
    var r = Refusals()
    let (t, i) = s.pt.unvalidating!
    var present = SymPTE.isPresent(s.pt.pte[t, i]), rw = present && SymPTE.isWritable(s.pt.pte[t, i])
    if let k { known(&r, k, present: &present, rw: &rw) }
    if bug == .releasesAbsentEntry { present = .true }  // the loop's `where PTE.isPresent(e)` dropped
    var n = symReleaseSlot(
      s, slot: ptSlot(t, i), target: SymPTE.frame(s.pt.pte[t, i]), present: present, rw: rw, putPage: bug != .noPutPage)
    n.pt.unvalidating = (t, i &+ 1)
    return (r, n)
  }
}

/// The end of an L1's un-validation loop (cursor 512), whoever started it (an unpin, or an L2
/// entry's putPageType reaching 0): the ghost cursor goes.
func symUnvalidateL1Finish() -> SymTransition {
  { s in
    var n = s
    n.pt.unvalidating = nil
    return (Refusals(), n)
  }
}

/// The end of an unpin after its un-validation (of any level): putPage(t), the pin's general
/// reference.
func symUnpinFinish(bug: PTBug = .none) -> SymTransition {
  { s in
    let t = s.pt.unpinning!.frame
    var n = s
    if bug != .noPutPage { n.refCount = s.refCount.set(t, s.refCount[t] &- 1) }
    n.pt.unpinning = nil
    return (Refusals(), n)
  }
}

/// `mmuUpdateOne(caller:, .normal(t, i, val))`, for a table frame of type l1 or a non-table
/// frame (an L2–L4 table is outside this model: hypothesis `notUpperTable`).
func symMMUUpdate(
  caller d: BV, table t: BV, index i: BV, val e: BV, bug: PTBug = .none, known c: ModEntryCase? = nil
) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    if bug != .noCheckOwned { symCheckOwned(&r, s, t, by: d) }
    var isL1 = s.type[t] .== DecisionPageType.l1 && s.typeCount[t] .> 0
    if let c {
      r.assume(isL1.iff(c.isL1 ? .true : .false))
      isL1 = c.isL1 ? .true : .false
    }
    // if let level = f.type.level, f.typeCount > 0 { modEntry(at: level) }  (level 1 here)
    var table = s
    r.when(isL1) { r in
      table = symModEntryL1(&r, s, table: t, index: i, new: e, for: d, bug: bug, known: c?.isL1 == true ? c : nil)
    }
    // else: a data frame: getPageType(t, .writable) (EINVAL if typed otherwise), putPageType, setEntry
    r.when(!isL1) { r in
      r.when(s.typeCount[t] .> 0) { r in r.guard(s.type[t] .== DecisionPageType.writable, DecisionErrno.EINVAL) }
    }
    var plain = s
    plain.pt.pte = s.pt.pte.set(t, i, e)
    var n = table
    n.refCount = Field { f in BV.ite(isL1, table.refCount[f], s.refCount[f]) }
    n.typeCount = Field { f in BV.ite(isL1, table.typeCount[f], s.typeCount[f]) }
    n.type = Field { f in BV.ite(isL1, table.type[f], s.type[f]) }
    n.validated = Field { f in BV.ite(isL1, table.validated[f], s.validated[f]) }
    n.pt.pte = Field2 { x, j in BV.ite(isL1, table.pt.pte[x, j], plain.pt.pte[x, j]) }
    n.pt.l1Refs = Field { f in BV.ite(isL1, table.pt.l1Refs[f], s.pt.l1Refs[f]) }
    n.pt.refSlot = Field2 { f, k in BV.ite(isL1, table.pt.refSlot[f, k], s.pt.refSlot[f, k]) }
    n.pt.refIndex = Field { x in BV.ite(isL1, table.pt.refIndex[x], s.pt.refIndex[x]) }
    n.pt.wRefs = Field { f in BV.ite(isL1, table.pt.wRefs[f], s.pt.wRefs[f]) }
    n.pt.wSlot = Field2 { f, k in BV.ite(isL1, table.pt.wSlot[f, k], s.pt.wSlot[f, k]) }
    n.pt.wIndex = Field { x in BV.ite(isL1, table.pt.wIndex[x], s.pt.wIndex[x]) }
    return (r, n)
  }
}

/// `updateVaMapping(caller:va:val:)`: the walk reaches some slot (t, i) (any: over-approximated);
/// it must be a live L1 of the caller (EINVAL); then modEntry at level 1.
func symUpdateVaMapping(
  caller d: BV, table t: BV, index i: BV, val e: BV, bug: PTBug = .none, known c: ModEntryCase? = nil
) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, d)
    if bug != .noTableOwnerCheck { r.guard(s.owner[t] .== d, DecisionErrno.EINVAL) }
    if bug != .noTableTypeCheck {
      r.guard(s.type[t] .== DecisionPageType.l1 && s.typeCount[t] .> 0, DecisionErrno.EINVAL)
    }
    let n = symModEntryL1(&r, s, table: t, index: i, new: e, for: d, bug: bug, known: c)
    return (r, n)
  }
}

/// `mmuextOpOne(caller:, .pinTable(.l1, t))` on a frame whose type count is > 0 (no validation:
/// hypothesis). checkOwned; not pinned (EINVAL); getPage; getPageType(.l1) (EINVAL unless l1);
/// pinned = true.
///
/// `level`: the page type pinned (`.pinTable(level, t)`), l1 by default; an L2–L4 pin of a frame
/// already of that type is the same step (its references are the pin's, no entry is touched).
func symPinL1(caller d: BV, table t: BV, level: BV = BV(constant: DecisionPageType.l1), bug: PTBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symPinChecks(&r, s, caller: d, table: t)
    if bug != .noTypeCheck { r.guard(s.type[t] .== level, DecisionErrno.EINVAL) }
    var n = s
    if bug != .noGetPage { n.refCount = s.refCount.set(t, s.refCount[t] &+ 1) }
    n.typeCount = s.typeCount.set(t, s.typeCount[t] &+ 1)
    n.pinned = s.pinned.set(t, kTrue)
    return (r, n)
  }
}

/// `mmuextOpOne(caller:, .unpinTable(t))` leaving the type count > 0 (no un-validation:
/// hypothesis). checkOwned; pinned (EINVAL); pinned = false; putPageType; putPage.
func symUnpinL1(caller d: BV, table t: BV, bug: PTBug = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symUnpinChecks(&r, s, caller: d, table: t, checkPinned: bug != .noPinnedCheck)
    var n = s
    n.pinned = s.pinned.set(t, kFalse)
    n.typeCount = s.typeCount.set(t, s.typeCount[t] &- 1)
    n.refCount = s.refCount.set(t, s.refCount[t] &- 1)
    return (r, n)
  }
}

/// `grantCopy(caller:source:dest:)`: frame `dst`'s contents become frame `src`'s. Which frames
/// the caller may name (checkOwned / resolveGrant) is access control, not what keeps these
/// invariants: any `src` and `dst` are allowed (an over-approximation). What keeps them is
/// `getPageType(dst, .writable)` (EINVAL for a page table), then `putPageType(dst)`: the pair
/// leaves the frame's type, counts and validation as they were, so only the contents change,
/// and they are no live L1's.
///
/// `resolved`: also the destination's resolution (`resolve(dest, write: true)`), what keeps
/// frameOwnership (the contents written are a domain's frame's, never a free one's): the caller
/// is alive (ESRCH); `.local(dst)` (`viaGrant` false): checkOwned(dst, by: caller);
/// `.granted(g, ref)`: resolveGrant's "the granter is alive" (ESRCH) and "it still owns the
/// entry's frame" (EINVAL), `dst` being that frame. resolveGrant's other checks (the entry is
/// in use, names the caller, allows writing) and the source's resolution are access control,
/// left out (fewer checks: an over-approximation).
func symGrantCopy(
  source src: BV, dest dst: BV, bug: PTBug = .none, resolved: (caller: BV, granter: BV, viaGrant: Z3Bool)? = nil
) -> SymTransition {
  { s in
    var r = Refusals()
    if let (d, g, viaGrant) = resolved {
      symCallerDomain(&r, s, d)
      r.when(!viaGrant) { r in symCheckOwned(&r, s, dst, by: d) }
      r.when(viaGrant) { r in
        r.guard(flag(s.alive[g]), DecisionErrno.ESRCH)
        r.guard(s.owner[dst] .== g, DecisionErrno.EINVAL)
      }
    }
    if bug != .copiesIntoPageTable {
      r.when(s.typeCount[dst] .> 0) { r in r.guard(s.type[dst] .== DecisionPageType.writable, DecisionErrno.EINVAL) }
    }
    var n = s
    let old = s.pt.pte
    n.pt.pte = Field2 { t, i in BV.ite(t .== dst, old[src, i], old[t, i]) }  // s.contents[dst] = s.contents[src]
    return (r, n)
  }
}

// MARK: obligations



/// The terms at which a ground goal instantiates the invariants: slots, frames and enumeration
/// positions reachable from the seeds in two rounds (slot -> its table, its target and its
/// positions there; frame -> its last positions; position -> the slots it holds and its frame).
struct PTTerms {
  var slots: [(BV, BV)]
  var frames: [BV]
  var positions: [(BV, BV)]

  mutating func close(_ s: SymState, rounds: Int = 2) {
    var (newS, newF, newK) = (slots, frames, positions)
    for _ in 0..<rounds {
      var (s2, f2, k2): ([(BV, BV)], [BV], [(BV, BV)]) = ([], [], [])
      for (t, i) in newS {
        let x = ptSlot(t, i), f = ptTarget(s, t, i)
        f2 += [t, f]
        k2 += [(f, s.pt.refIndex[x]), (f, s.pt.wIndex[x])]
      }
      for f in newF { k2 += [(f, s.pt.l1Refs[f] &- 1), (f, s.pt.wRefs[f] &- 1)] }
      for (f, k) in newK {
        for y in [s.pt.refSlot[f, k], s.pt.wSlot[f, k]] { s2.append((ptSlotTable(y), ptSlotIndex(y))) }
        f2.append(f)
      }
      slots += s2
      frames += f2
      positions += k2
      (newS, newF, newK) = (s2, f2, k2)
    }
  }
}

/// Instances of every page-table invariant at `terms`, and the count bound (trusted, as
/// `countsBounded`: counts stay far below 2^64).
func ptInstances(_ s: SymState, _ terms: PTTerms, _ invariants: [PTInvariant] = pageTableInvariants) -> [Z3Bool] {
  var h: [Z3Bool] = []
  for inv in invariants {
    for f in terms.frames { h.append(inv.atFrame(s, f)) }
    for (t, i) in terms.slots { h.append(inv.atSlot(s, t, i)) }
    for (f, k) in terms.positions { h.append(inv.atPosition(s, f, k)) }
  }
  for f in terms.frames {
    for c in [s.pt.l1Refs[f], s.pt.wRefs[f], s.pt.extRefs[f], s.pt.extTyped[f]] { h.append(c .< (1 << 58)) }
  }
  return h
}

/// One page-table step: its transition on a given pre-state, and the slot and frames it touches.
struct PTStep {
  var transition: SymTransition
  /// The pre-state from a base state: the base itself, or for a step inside a loop or a pin the
  /// base with its ghosts set (`validating`, `pinning`, ...: the mid-loop invariants).
  var initial: (SymState) -> SymState = { $0 }
  /// The step restricted to each case of a partition, for a proof by cases (empty: one goal).
  var cases: [PTStep] = []
  var hypotheses: (SymState) -> [Z3Bool] = { _ in [] }
  var slots: [(BV, BV)]
  var frames: (SymState) -> [BV]
  var witnesses: [Witness]
  /// Frames where the step changes counts or types: the frame part of the claim is made at each
  /// of them, and at a fresh frame distinct from them (together: at every frame). At the fresh
  /// frame every update's `if id == k` is decided by a hypothesis, so Z3 never has to relate the
  /// counts of two frame terms that may be equal.
  var claimFrames: (SymState) -> [BV] = { _ in [] }
  /// Slots (encoded) whose entry or enumeration position the step changes: the slot part of the
  /// claim is made at each, and at every other slot (see `ptSlotGoals`).
  /// Each as a (table, index) pair and its encoding (the key the step's updates test).
  var claimSlots: (SymState) -> [(pair: (BV, BV), key: BV)] = { _ in [] }
  /// For a case of modEntry: its slot, new entry and case (the enumeration goals, `ptEntryEnumGoals`).
  var entry: (table: BV, index: BV, entry: BV, known: ModEntryCase)? = nil
  /// What the enumeration goals know of the entry's table, if not "an L1" (modEntry).
  var tableFacts: ((SymState) -> [Z3Bool])? = nil
  /// (domain, frame) pairs where the step's checks or a released entry rest on a grant: the new
  /// entry's (caller, target), a released or validated entry's (its table's owner, target). The
  /// frameOwnership goals assume the grant link's facts there (`grantLinkFacts`).
  var grantUses: (SymState) -> [(BV, BV)] = { _ in [] }
  /// The step's changes of the upper enumeration, in order (`<op>_upperEnumeration`).
  var holderMoves: (SymState) -> [HolderMove] = { _ in [] }
}

/// `referenceIndex` / `referenceSlots` across one case of modEntry, as many small goals. Z3's
/// work grows fast with every hypothesis it is given (each is bit-blasted, each new field read
/// adds Ackermann constraints), so each goal gets only what its argument uses:
/// - `facts`: what the step's checks and typeSafety say about the tables involved: t is an L1
///   (or, for mmuUpdate's data-frame case, not one) and exists; a frame gaining an R/W reference
///   is no L1 (it was `writable` or untyped), nor is one losing one (it was `writable`). So no
///   L1 other than t changes its type or entries. Proved from the step's checks and typeSafety
///   by a goal of their own (the first of each case); the other goals assume them instead of the
///   checks.
/// - per enumeration (`EnumPart`) p, when the old entry is live in p: referenceIndex at the slot
///   (its position k in a's enumeration) and referenceSlots at a's last position (the slot that
///   moves to k); when the new one is: b's count is below 2^58 (no wrap).
/// - a claimed position (f, k): referenceSlots at (f, k) before the step; f is each touched frame
///   (k split on the positions the step writes there) or a fresh one.
/// - a claimed slot z, split on its target (each touched frame, or another): referenceIndex at z
///   before the step; z is the entry itself, p's moving last slot (split on whether it is the
///   entry's encoding), another encoding, or an alias of one (split on whether its table exists;
///   typeSafety at it).
/// The classes cover every point (partitions by construction); each goal assumes fewer
/// hypotheses than the ∀ invariants, so each is a proof.
private func ptEntryEnumGoals(_ inv: PTInvariant, _ step: PTStep) -> [Goal] {
  guard let en = step.entry else { return [] }
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let (t, i, c) = (en.table, en.index, en.known)
  let x = ptSlot(t, i)
  let a = SymPTE.frame(s.pt.pte[t, i])
  let b = c.sameTarget == true ? a : SymPTE.frame(en.entry)
  let touched = step.claimFrames(s)
  let cf = BV("claim.frame"), ck = BV("claim.position"), ct = BV("claim.table"), ci = BV("claim.index")
  let witnesses = step.witnesses + [
    .word("claim.frame", cf), .word("claim.position", ck), .word("claim.table", ct), .word("claim.index", ci),
  ]
  let l1 = BV(constant: DecisionPageType.l1)
  var facts = [t .< s.frameCount]
  facts += step.tableFacts?(s) ?? (c.isL1 ? [s.type[t] .== l1, s.typeCount[t] .> 0] : [s.type[t] .!= l1])
  if c.isL1 && c.new == .writable { facts.append(s.type[b] .!= l1) }
  if c.isL1 && c.old == .writable { facts.append(s.type[a] .!= l1) }
  let common = configRanges(s) + step.hypotheses(s) + r.assumptions
  var goals = [
    Goal(
      claim: all(facts),
      hypotheses: common + [!r.refused, typeSafetyAtSlot(s, t, i), typeSafetyAtFrame(s, t), typeSafetyAtFrame(s, b)],
      witnesses: witnesses, logic: "QF_UFBV")
  ]
  for p in EnumPart.allCases {
    let (count, _, index, _) = enumeration(s, p)
    let removing = c.isL1 && (p == .refs ? c.old != .absent : c.old == .writable)
    let adding = c.isL1 && (p == .refs ? c.new != .absent : c.new == .writable)
    var base = common + facts
    if removing { base += [refIndexAtSlot(s, t, i, to: a, p), refSlotsAtPosition(s, a, count[a] &- 1, p)] }
    if adding { base.append(count[b] .< (1 << 58)) }
    func goal(_ claim: Z3Bool, _ hyps: [Z3Bool]) -> Goal {
      Goal(claim: claim, hypotheses: base + hyps, witnesses: witnesses, logic: "QF_UFBV")
    }
    if inv.name == referenceSlotsPT.name {
      // at each touched frame, split on the positions the step writes there
      for (n, f) in touched.enumerated() {
        let isA = c.old != .absent && n == 0, isB = c.new != .absent && (c.sameTarget == true || !isA)
        let writes = (isA && removing ? [index[x]] : [])
          + (isB && adding ? [removing && c.sameTarget == true ? count[a] &- 1 : count[b]] : [])
        var seen: [Z3Bool] = []
        for w in writes {
          goals.append(goal(refSlotsAtPosition(next, f, ck, p), [refSlotsAtPosition(s, f, ck, p), ck .== w] + seen))
          seen.append(ck .!= w)
        }
        goals.append(goal(refSlotsAtPosition(next, f, ck, p), [refSlotsAtPosition(s, f, ck, p)] + seen))
      }
      goals.append(goal(refSlotsAtPosition(next, cf, ck, p), [refSlotsAtPosition(s, cf, ck, p)] + touched.map { cf .!= $0 }))
    } else {
      // the claim at slot (zt, zi), split on its target: each touched frame, or another one
      func goalsAt(_ zt: BV, _ zi: BV, _ hyps: [Z3Bool]) {
        for f in touched { goals.append(goal(refIndexAtSlot(next, zt, zi, to: f, p), hyps + [refIndexAtSlot(s, zt, zi, to: f, p)])) }
        let other = all(touched.map { ptTarget(next, zt, zi) .!= $0 })
        goals.append(goal(
          other.implies(refIndexAtSlot(next, zt, zi, to: ptTarget(next, zt, zi), p)),
          hyps + [refIndexAtSlot(s, zt, zi, to: ptTarget(s, zt, zi), p)]))
      }
      // the slots whose entry or position in p the step changes: the entry, p's last slot of a
      let last = enumeration(s, p).slot[a, count[a] &- 1]
      let keys = [x] + (removing ? [last] : [])
      let pairs = [(t, i)] + (removing ? [(ptSlotTable(last), ptSlotIndex(last))] : [])
      goalsAt(t, i, [])
      if removing {
        let q = pairs[1]
        goalsAt(q.0, q.1, [last .== x])
        goalsAt(q.0, q.1, [last .!= x])
      }
      let z = ptSlot(ct, ci)
      let otherPair = pairs.map { !(ct .== $0.0 && ci .== $0.1) }
      goalsAt(ct, ci, keys.map { z .!= $0 } + otherPair)
      for exists in [ct .< s.frameCount, ct .>= s.frameCount] {
        goalsAt(ct, ci, [any(keys.map { z .== $0 }), exists, typeSafetyAtFrame(s, ct)] + otherPair)
      }
    }
  }
  return goals
}

/// `invariants(s) ∧ ¬refused ⇒ inv(step(s))` at a fresh frame, slot and position (so for all),
/// from ground instances of the invariants (fewer hypotheses than the ∀ forms).
func ptGroundGoal(_ inv: PTInvariant, _ step: PTStep, assuming: [PTInvariant] = pageTableInvariants) -> Goal {
  if !step.cases.isEmpty, step.cases.allSatisfy({ $0.entry != nil }),
    inv.name == referenceIndexPT.name || inv.name == referenceSlotsPT.name
  {
    return .byCases(step.cases.flatMap { ptEntryEnumGoals(inv, $0) })
  }
  if !step.cases.isEmpty {
    return .byCases(step.cases.flatMap { c in
      let g = ptGroundGoal(inv, c, assuming: assuming)
      return g.cases.isEmpty ? [g] : g.cases
    })
  }
  let s = step.initial(SymState())
  let (r, next) = step.transition(s)
  let cf = BV("claim.frame"), ct = BV("claim.table"), ci = BV("claim.index"), ck = BV("claim.position")
  // Seeds: the step's slot and frames, and the claim's points for the parts the claim has.
  let claimsSlot = inv.name != referenceCountsEquationsPT.name && inv.name != referenceSlotsPT.name
  let claimsPosition = inv.name == referenceSlotsPT.name
  var terms = PTTerms(
    slots: step.slots + (claimsSlot ? [(ct, ci)] : []), frames: step.frames(s) + [cf] + (claimsSlot ? [ct] : []),
    positions: claimsPosition ? [(cf, ck)] : [])
  if claimsSlot || claimsPosition { terms.close(s, rounds: 1) }
  // the last slot of each touched frame's enumerations (it moves into the removed slot's place)
  for f in step.frames(s) where !inv.localTerms {
    for y in [s.pt.refSlot[f, s.pt.l1Refs[f] &- 1], s.pt.wSlot[f, s.pt.wRefs[f] &- 1]] {
      terms.slots.append((ptSlotTable(y), ptSlotIndex(y)))
      terms.frames.append(ptSlotTable(y))
    }
  }
  let assumed = inv.assumes.map { names in assuming.filter { names.contains($0.name) } } ?? assuming
  let touched = step.claimFrames(s)
  let fresh = all(touched.map { cf .!= $0 })
  let hyps = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions + ptInstances(s, terms, assumed)
  let witnesses = step.witnesses + [.word("claim.frame", cf), .word("claim.table", ct), .word("claim.index", ci)]
  if let to = inv.atSlotTo, claimsSlot { return ptSlotGoals(inv, to, s, next, step, hyps: hyps, assumed: assumed, witnesses) }
  let claim = all(touched.map { inv.atFrame(next, $0) }) && fresh.implies(inv.atFrame(next, cf))
    && inv.atSlot(next, ct, ci) && inv.atPosition(next, cf, ck)
  return Goal(claim: claim, hypotheses: hyps, witnesses: witnesses, logic: "QF_UFBV")
}

/// A slot claim by cases on the claimed slot (ct, ci): at each slot the step changes
/// (`claimSlots`), at a slot whose encoding differs from theirs (so every `if slot == k` of the
/// step is decided by a hypothesis), and at a slot that differs from them only as a pair (an
/// encoding that wraps: never live). Within each, the claim is split on the slot's target: each
/// touched frame (hypothesis and claim then read the same count terms), or another frame.
private func ptSlotGoals(
  _ inv: PTInvariant, _ to: @Sendable (SymState, BV, BV, BV) -> Z3Bool, _ s: SymState, _ next: SymState, _ step: PTStep,
  hyps: [Z3Bool], assumed: [PTInvariant], _ witnesses: [Witness]
) -> Goal {
  let ct = BV("claim.table"), ci = BV("claim.index")
  let touched = step.claimFrames(s)
  let inductive = assumed.contains { $0.name == inv.name }
  func claimAt(_ t: BV, _ i: BV) -> Z3Bool {
    let other = all(touched.map { ptTarget(next, t, i) .!= $0 })
    return all(touched.map { to(next, t, i, $0) }) && other.implies(inv.atSlot(next, t, i))
  }
  func hypsAt(_ t: BV, _ i: BV) -> [Z3Bool] { inductive ? touched.map { to(s, t, i, $0) } : [] }
  let pairs = step.claimSlots(s).map(\.pair), points = step.claimSlots(s).map(\.key)
  let x = ptSlot(ct, ci)
  let pointGoals = pairs.map { p in
    Goal(claim: claimAt(p.0, p.1), hypotheses: hyps + hypsAt(p.0, p.1), witnesses: witnesses, logic: "QF_UFBV")
  }
  let distinct = points.map { x .!= $0 } + pairs.map { !(ct .== $0.0 && ci .== $0.1) }
  let freshGoal = Goal(
    claim: claimAt(ct, ci), hypotheses: hyps + hypsAt(ct, ci) + distinct, witnesses: witnesses, logic: "QF_UFBV")
  // (split on whether the claimed table exists: Z3 is slow to find that case split itself)
  let aliasGoals = [ct .< s.frameCount, ct .>= s.frameCount].map { exists in
    Goal(
      claim: claimAt(ct, ci),
      hypotheses: hyps + hypsAt(ct, ci) + [any(points.map { x .== $0 }), exists] + pairs.map { !(ct .== $0.0 && ci .== $0.1) },
      witnesses: witnesses, logic: "QF_UFBV")
  }
  return .byCases(pointGoals + [freshGoal] + aliasGoals)
}

/// A small page-table pre-state for mutant counterexamples: frames 1, 2, 3 with free fields and
/// at most two references each, two symbolic non-zero entries; every other frame is free and
/// untouched, every other entry 0. Every invariant holds at those defaults, so the ∀ invariants
/// are exactly their instances at the support, and counterexamples are genuine.
func smallPTState() -> (SymState, PTTerms, [Z3Bool]) {
  var n = SymState()
  let frames = (1...3).map { BV(constant: UInt64($0)) }
  func perFrame(_ name: String, _ other: UInt64) -> Field {
    let values = frames.indices.map { BV("small.\(name)\($0)") }
    return Field { f in frames.indices.reversed().reduce(BV(constant: other)) { rest, j in BV.ite(f .== frames[j], values[j], rest) } }
  }
  n.owner = perFrame("owner", DecisionOwner.free)
  n.type = perFrame("type", DecisionPageType.none)
  n.typeCount = perFrame("typeCount", 0)
  n.refCount = perFrame("refCount", 0)
  n.pinned = perFrame("pinned", 0)
  n.validated = perFrame("validated", 0)
  n.pt.l1Refs = perFrame("l1Refs", 0)
  n.pt.wRefs = perFrame("wRefs", 0)
  n.pt.extRefs = perFrame("extRefs", 0)
  n.pt.extTyped = perFrame("extTyped", 0)
  let tabs = (0..<2).map { BV("small.table\($0)") }, idxs = (0..<2).map { BV("small.index\($0)") }
  let entries = (0..<2).map { BV("small.entry\($0)") }
  n.pt.pte = Field2 { t, i in (0..<2).reversed().reduce(kFalse) { rest, j in BV.ite(t .== tabs[j] && i .== idxs[j], entries[j], rest) } }
  let slots = (0..<2).map { ptSlot(tabs[$0], idxs[$0]) }
  func perSlot(_ name: String) -> Field {
    let values = (0..<2).map { BV("small.\(name)\($0)") }
    return Field { x in (0..<2).reversed().reduce(kFalse) { rest, j in BV.ite(x .== slots[j], values[j], rest) } }
  }
  n.pt.refIndex = perSlot("refIndex")
  n.pt.wIndex = perSlot("wIndex")
  func perPosition(_ name: String) -> Field2 {
    let values = frames.indices.map { j in (0..<2).map { BV("small.\(name)\(j).\($0)") } }
    return Field2 { f, k in
      frames.indices.reversed().reduce(kFalse) { rest, j in
        BV.ite(f .== frames[j], BV.ite(k .== 0, values[j][0], BV.ite(k .== 1, values[j][1], kFalse)), rest)
      }
    }
  }
  n.pt.refSlot = perPosition("refSlot")
  n.pt.wSlot = perPosition("wSlot")
  let terms = PTTerms(
    slots: (0..<2).map { (tabs[$0], idxs[$0]) }, frames: frames,
    positions: frames.flatMap { f in [(f, kFalse), (f, kTrue)] })
  let hyps = frames.flatMap { f in [n.pt.l1Refs[f] .<= 2, n.pt.wRefs[f] .<= 2] } + idxs.map { $0 .< 512 }
  return (n, terms, hyps)
}

/// In the small state, a loop's frame and a pin's or unpin's in progress are among the support's
/// (elsewhere the defaults would break their terms of referenceCounts and typeSafety: spurious
/// counterexamples).
func ghostSupport(_ s: SymState, _ terms: PTTerms) -> [Z3Bool] {
  func inSupport(_ g: BV) -> Z3Bool { any(terms.frames.map { g .== $0 }) }
  return [s.pt.validating?.frame, s.pt.unvalidating?.frame].compactMap { $0 }.map(inSupport)
    + [s.pt.pinning, s.pt.unpinning].compactMap { $0 }.map { $0.active.implies(inSupport($0.frame)) }
}

/// The mutant goal: the small pre-state, the invariants at its support, the claim at a fresh point.
/// `noInductionHypothesis`: `inv` itself is not assumed beforehand.
func ptMutantGoal(_ inv: PTInvariant, _ step: PTStep, noInductionHypothesis: Bool = false) -> Goal {
  let (base, terms, small) = smallPTState()
  let s = step.initial(base)
  let (r, next) = step.transition(s)
  let validating = ghostSupport(s, terms)
  let cf = BV("claim.frame"), ct = BV("claim.table"), ci = BV("claim.index"), ck = BV("claim.position")
  let assumed = noInductionHypothesis ? pageTableInvariants.filter { $0.name != inv.name } : pageTableInvariants
  let hyps = configRanges(s) + step.hypotheses(s) + small + validating + [!r.refused] + r.assumptions
    + ptInstances(s, terms, assumed)
  let claim = inv.atFrame(next, cf) && inv.atSlot(next, ct, ci) && inv.atPosition(next, cf, ck)
  return Goal(
    claim: claim, hypotheses: hyps,
    witnesses: step.witnesses + [.word("claim.frame", cf), .word("claim.table", ct), .word("claim.index", ci)],
    logic: "QF_UFBV")
}

func ptObligation(
  _ op: String, _ inv: PTInvariant, step: @escaping @Sendable () -> PTStep, mutant: String,
  _ weak: @escaping @Sendable () -> PTStep, assuming: [PTInvariant] = pageTableInvariants
) -> Obligation {
  Obligation("\(op)_\(inv.name)", mutants: [Mutant(mutant) { ptMutantGoal(inv, weak()) }]) { ptGroundGoal(inv, step(), assuming: assuming) }
}

/// An obligation whose step cannot break `inv` by a dropped check: its mutant shows the claim
/// depends on assuming `inv` beforehand.
func ptObligation(_ op: String, _ inv: PTInvariant, step: @escaping @Sendable () -> PTStep) -> Obligation {
  Obligation("\(op)_\(inv.name)", mutants: ptMutants(inv, step: step)) { ptGroundGoal(inv, step()) }
}

/// A page-table obligation's mutants, refuted in the small state (`ptMutantGoal`): the weakened
/// steps, or with none, `inv` not assumed before the step (`noInductionHypothesis`).
func ptMutants(
  _ inv: PTInvariant, step: @escaping @Sendable () -> PTStep, _ weakened: [(String, @Sendable () -> PTStep)] = []
) -> [Mutant] {
  weakened.isEmpty
    ? [Mutant("noInductionHypothesis") { ptMutantGoal(inv, step(), noInductionHypothesis: true) }]
    : weakened.map { name, weak in Mutant(name) { ptMutantGoal(inv, weak()) } }
}

/// The caller is a live domain (frameOwnership: alive ⇒ a 16-bit id).
private func callerHypotheses(_ s: SymState, _ d: BV) -> [Z3Bool] { [d .< 0x1_0000] }

/// The slots an entry update claims at: the slot (t, i) itself, and the last slot of each of
/// its old target a's enumerations it leaves (that slot takes its position): both when the old
/// entry held references (`old` present), the R/W one too when it was writable.
func entryClaimSlots(_ s: SymState, _ t: BV, _ i: BV, oldTarget a: BV, old: EntryKind) -> [(pair: (BV, BV), key: BV)] {
  let lasts = (old != .absent ? [s.pt.refSlot[a, s.pt.l1Refs[a] &- 1]] : [])
    + (old == .writable ? [s.pt.wSlot[a, s.pt.wRefs[a] &- 1]] : [])
  return [(pair: (t, i), key: ptSlot(t, i))] + lasts.map { (pair: (ptSlotTable($0), ptSlotIndex($0)), key: $0) }
}

private func entryStep(
  _ make: @escaping @Sendable (BV, BV, BV, BV, ModEntryCase?) -> SymTransition, upperExcluded: Bool, cases: [ModEntryCase] = []
) -> PTStep {
  let d = BV("caller"), t = BV("table"), i = BV("index"), e = BV("entry")
  var step = PTStep(
    transition: make(d, t, i, e, nil),
    hypotheses: { s in
      // ptr decodes to an entry index below 512 (xsa227); L2–L4 tables are outside this model
      callerHypotheses(s, d) + [i .< 512]
        + (upperExcluded ? [!(s.type[t] .>= DecisionPageType.l2 && s.type[t] .<= DecisionPageType.l4)] : [])
    },
    slots: [(t, i)], frames: { s in [t, SymPTE.frame(e), SymPTE.frame(s.pt.pte[t, i])] },
    witnesses: [.word("caller", d), .word("table", t), .word("index", i), .word("entry", e)])
  step.grantUses = { s in [(d, SymPTE.frame(e)), (s.owner[t], SymPTE.frame(s.pt.pte[t, i]))] }
  step.cases = cases.map { c in
    var one = step
    one.transition = make(d, t, i, e, c)
    one.entry = (t, i, e, c)
    // the old and new targets when they hold references; with the same target, one term (as
    // the case's step uses it)
    one.claimFrames = { s in
      let a = SymPTE.frame(s.pt.pte[t, i])
      guard c.isL1 else { return [] }
      return (c.old != .absent ? [a] : []) + (c.new != .absent && c.sameTarget != true ? [SymPTE.frame(e)] : [])
    }
    one.claimSlots = { s in entryClaimSlots(s, t, i, oldTarget: SymPTE.frame(s.pt.pte[t, i]), old: c.isL1 ? c.old : .absent) }
    return one
  }
  return step
}

func mmuUpdate(_ bug: PTBug = .none, byCases: Bool = false) -> @Sendable () -> PTStep {
  {
    // a data frame (not an L1) is one more case
    var notL1 = ModEntryCase(old: .absent, new: .absent, sameTarget: nil)
    notL1.isL1 = false
    return entryStep(
      { d, t, i, e, c in symMMUUpdate(caller: d, table: t, index: i, val: e, bug: bug, known: c) }, upperExcluded: true,
      cases: byCases ? ModEntryCase.all + [notL1] : [])
  }
}
private func updateVa(_ bug: PTBug = .none, byCases: Bool = false) -> @Sendable () -> PTStep {
  {
    entryStep(
      { d, t, i, e, c in symUpdateVaMapping(caller: d, table: t, index: i, val: e, bug: bug, known: c) }, upperExcluded: false,
      cases: byCases ? ModEntryCase.all : [])
  }
}
/// `upper`: the table is an L2, L3 or L4 (the rows `mmuextOpPinL2-L4` / `mmuextOpUnpinL2-L4`),
/// else an L1 (an unpin's goal does not depend on it: it reads no type).
func pin(_ bug: PTBug = .none, upper: Bool = false) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table"), level = BV("level")
    let levels = upper ? [level .>= DecisionPageType.l2, level .<= DecisionPageType.l4] : [level .== DecisionPageType.l1]
    var step = PTStep(
      transition: symPinL1(caller: d, table: t, level: level, bug: bug),
      hypotheses: { s in callerHypotheses(s, d) + levels + [s.typeCount[t] .> 0] },  // no validation
      slots: [], frames: { _ in [t] }, witnesses: [.word("caller", d), .word("table", t), .word("level", level)])
    step.claimFrames = { _ in [t] }
    return step
  }
}
func unpin(_ bug: PTBug = .none, upper: Bool = false) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table")
    let levels = { (s: SymState) in upper ? [s.type[t] .>= DecisionPageType.l2, s.type[t] .<= DecisionPageType.l4] : [] }
    var step = PTStep(
      transition: symUnpinL1(caller: d, table: t, bug: bug),
      hypotheses: { s in callerHypotheses(s, d) + levels(s) + [s.typeCount[t] .> 1] },  // no un-validation
      slots: [], frames: { _ in [t] }, witnesses: [.word("caller", d), .word("table", t)])
    step.claimFrames = { _ in [t] }
    return step
  }
}

/// `domainCreate(caller:domain:maxPages:vcpus:)` in this model: a new record, an empty grant
/// table and an empty set of grant mappings (no permission, no reference), vCPUs without CR3s.
func createDomain() -> @Sendable () -> PTStep {
  {
    let c = BV("caller"), d = BV("domain"), m = BV("maxPages")
    return PTStep(
      transition: { s in
        var (r, n) = symDomainCreate(caller: c, domain: d, maxPages: m)(s)
        let root = s.pt.cr3.root
        n.pt.cr3.root = Field { v in BV.ite(vcpuDomain(v) .== d, cr3None, root[v]) }  // vcpus: cr3 nil
        return (r, n)
      },
      hypotheses: { s in callerHypotheses(s, c) }, slots: [], frames: { _ in [] },
      witnesses: [.word("caller", c), .word("domain", d), .word("maxPages", m)])
  }
}

/// Pinning an L1 with validation, as four steps: the start (type count 0: the frame takes type
/// l1, count 1, cursor 0, the pin in progress), one iteration of the loop (entry `cursor`), the
/// loop's end (cursor 512), the pin's end (`pinned`). Inside the loop the invariants are the
/// mid-validation ones (`SymPageTables.validating`): the frame's entries at or above the cursor
/// hold no references; the frame holds the pin's while it is in progress (`.pinning`).
func pinStart(_ bug: PTBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table")
    var step = PTStep(
      transition: symPinL1Start(caller: d, table: t, bug: bug),
      hypotheses: { s in callerHypotheses(s, d) + [s.typeCount[t] .== 0] },  // getPageType's validating branch
      slots: [], frames: { _ in [t] }, witnesses: [.word("caller", d), .word("table", t)])
    step.claimFrames = { _ in [t] }
    return step
  }
}
func validateEntry(_ bug: PTBug = .none, byCases: Bool = false) -> @Sendable () -> PTStep {
  {
    let t = BV("table"), c = BV("cursor")
    let e = SymState().pt.pte[t, c]
    let p = anyPinning()
    var step = PTStep(
      transition: symValidateL1Entry(bug: bug),
      initial: { var s = $0; s.pt.validating = (t, c); s.pt.pinning = p; return s },
      // the loop's range; the owner is a live domain's id (a pin's caller by checkOwned, or the
      // domain of the L2 entry that started the loop, by its ownFramesOnly check)
      hypotheses: { s in [c .< 512, s.owner[t] .< 0x1_0000] },
      slots: [(t, c)], frames: { _ in [t, SymPTE.frame(e)] },
      witnesses: [.word("table", t), .word("cursor", c), .word("entry", e)] + pinningWitnesses(p))
    step.grantUses = { s in [(s.owner[t], SymPTE.frame(e))] }
    guard byCases else { return step }
    step.cases = EntryKind.allCases.map { k in
      var one = step
      one.transition = symValidateL1Entry(bug: bug, known: k)
      // as modEntry from an absent entry to this one (no setEntry: the slot goes live by the cursor)
      let mc = ModEntryCase(old: .absent, new: k, sameTarget: nil)
      one.entry = (t, c, e, mc)
      one.claimFrames = { _ in k != .absent ? [SymPTE.frame(e)] : [] }
      one.claimSlots = { _ in [(pair: (t, c), key: ptSlot(t, c))] }
      return one
    }
    return step
  }
}
func validateFinish(_ bug: PTBug = .none) -> @Sendable () -> PTStep {
  {
    let t = BV("table"), c = BV("cursor")
    let p = anyPinning()
    var step = PTStep(
      transition: symValidateL1Finish(),
      initial: { var s = $0; s.pt.validating = (t, bug == .finishesEarly ? c : BV(constant: 512)); s.pt.pinning = p; return s },
      hypotheses: { _ in bug == .finishesEarly ? [c .< 512] : [] },
      slots: [], frames: { _ in [t] }, witnesses: [.word("table", t), .word("cursor", c)] + pinningWitnesses(p))
    step.claimFrames = { _ in [t] }
    return step
  }
}

/// The end of a pin, of any level, after its validation: `pinned`.
func pinFinish(_ bug: PTBug = .none) -> @Sendable () -> PTStep {
  {
    let t = BV("table")
    var step = PTStep(
      transition: symPinFinish(bug: bug),
      initial: { var s = $0; s.pt.pinning = (t, .true); return s },
      slots: [], frames: { _ in [t] }, witnesses: [.word("table", t)])
    step.claimFrames = { _ in [t] }
    return step
  }
}

/// A loop iteration's ghost pin: some frame's pin in progress, or none (`active` symbolic: the
/// same loop runs inside a pin or inside a validation an entry or a CR3 load started).
func anyPinning() -> (frame: BV, active: Z3Bool) { (BV("pinning.frame"), Z3Bool("pinning.active")) }
/// The same for an unpin in progress.
func anyUnpinning() -> (frame: BV, active: Z3Bool) { (BV("unpinning.frame"), Z3Bool("unpinning.active")) }
func pinningWitnesses(_ p: (frame: BV, active: Z3Bool), _ name: String = "pinning") -> [Witness] {
  [.word("\(name).frame", p.frame), .flag("\(name).active", p.active)]
}

/// Unpinning an L1 with un-validation, as four steps: the start (type count 1 -> 0: untyped,
/// cursor 0, the unpin in progress), one iteration of the loop (entry `cursor` releases its
/// references), the loop's end (cursor 512), the unpin's end (putPage). Inside the loop the
/// invariants are the mid-un-validation ones (`SymPageTables.unvalidating`, `.unpinning`).
func unpinStart(_ bug: PTBug = .none) -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), t = BV("table")
    var step = PTStep(
      transition: symUnpinL1Start(caller: d, table: t, bug: bug),
      // putPageType's un-validating branch, of an L1 (of an L2–L4: unpinUpperStart)
      hypotheses: { s in callerHypotheses(s, d) + [s.typeCount[t] .== 1, s.type[t] .== DecisionPageType.l1] },
      slots: [], frames: { _ in [t] }, witnesses: [.word("caller", d), .word("table", t)])
    step.claimFrames = { _ in [t] }
    return step
  }
}
func unvalidateEntry(_ bug: PTBug = .none, byCases: Bool = false) -> @Sendable () -> PTStep {
  {
    let t = BV("table"), c = BV("cursor")
    let e = SymState().pt.pte[t, c]
    let u = anyUnpinning()
    var step = PTStep(
      transition: symUnvalidateL1Entry(bug: bug),
      initial: { var s = $0; s.pt.unvalidating = (t, c); s.pt.unpinning = u; return s },
      hypotheses: { _ in [c .< 512] },
      slots: [(t, c)], frames: { _ in [t, SymPTE.frame(e)] },
      witnesses: [.word("table", t), .word("cursor", c), .word("entry", e)] + pinningWitnesses(u, "unpinning"))
    step.grantUses = { s in [(s.owner[t], SymPTE.frame(e))] }
    guard byCases else { return step }
    step.cases = EntryKind.allCases.map { k in
      var one = step
      one.transition = symUnvalidateL1Entry(bug: bug, known: k)
      // as modEntry from this entry to an absent one (no setEntry: the slot dies by the cursor)
      one.entry = (t, c, kFalse, ModEntryCase(old: k, new: .absent, sameTarget: nil))
      one.tableFacts = { s in [s.type[t] .== DecisionPageType.none] }
      one.claimFrames = { _ in k != .absent ? [SymPTE.frame(e)] : [] }
      one.claimSlots = { s in entryClaimSlots(s, t, c, oldTarget: SymPTE.frame(e), old: k) }
      return one
    }
    return step
  }
}
func unvalidateFinish(_ bug: PTBug = .none) -> @Sendable () -> PTStep {
  {
    let t = BV("table"), c = BV("cursor")
    let u = anyUnpinning()
    var step = PTStep(
      transition: symUnvalidateL1Finish(),
      initial: { var s = $0; s.pt.unvalidating = (t, bug == .finishesEarly ? c : BV(constant: 512)); s.pt.unpinning = u; return s },
      hypotheses: { _ in bug == .finishesEarly ? [c .< 512] : [] },
      slots: [], frames: { _ in [t] }, witnesses: [.word("table", t), .word("cursor", c)] + pinningWitnesses(u, "unpinning"))
    step.claimFrames = { _ in [t] }
    return step
  }
}

/// The end of an unpin, of any level, after its un-validation: putPage.
func unpinFinish(_ bug: PTBug = .none) -> @Sendable () -> PTStep {
  {
    let t = BV("table")
    var step = PTStep(
      transition: symUnpinFinish(bug: bug),
      initial: { var s = $0; s.pt.unpinning = (t, .true); return s },
      slots: [], frames: { _ in [t] }, witnesses: [.word("table", t)])
    step.claimFrames = { _ in [t] }
    return step
  }
}

private func copy(_ bug: PTBug = .none) -> @Sendable () -> PTStep {
  {
    let src = BV("source"), dst = BV("dest")
    return PTStep(
      transition: symGrantCopy(source: src, dest: dst, bug: bug), slots: [], frames: { _ in [dst, src] },
      witnesses: [.word("source", src), .word("dest", dst)])
  }
}

/// grantCopy with its destination resolved (`symGrantCopy(resolved:)`): a frame the caller owns,
/// or (`viaGrant`) one a live granter owns.
private func copyResolved() -> @Sendable () -> PTStep {
  {
    let d = BV("caller"), g = BV("granter"), via = Z3Bool("viaGrant")
    let src = BV("source"), dst = BV("dest")
    return PTStep(
      transition: symGrantCopy(source: src, dest: dst, resolved: (d, g, via)),
      // frameOwnership's domain part at the granter (alive ⇒ a 16-bit id; no step here writes it)
      hypotheses: { s in callerHypotheses(s, d) + [flag(s.alive[g]).implies(g .< 0x1_0000)] },
      slots: [], frames: { _ in [dst, src] },
      witnesses: [
        .word("caller", d), .word("granter", g), .flag("viaGrant", via), .word("source", src), .word("dest", dst),
      ])
  }
}

// MARK: frameOwnership
//
// `<op>_frameOwnership` for every step above: the Spec's `frameOwnership` (checkFrameOwnership),
// its per-frame part, point-wise: after the step, at an arbitrary frame, the owner is encodable
// and a domain owner alive, a free frame is pristine (no references, untyped, not pinned or
// validated) and scrubbed (every entry of its contents 0: the Spec's `contents[f] == nil`), a
// hypervisor frame unreferenced. What keeps it: every reference these steps take is on a frame
// the caller (or the table's owner) owns or holds a grant mapping of, so on a domain's frame
// (`grantLinkAt`); every reference they drop is held by a live entry (`isolation`: on such a
// frame too) or by a pin, of a frame the caller owns (checkOwned) or, at the unpin's finish, of
// one whose counting equation says it is referenced (`referenceCounts`: not free, not the
// hypervisor's); the pin's finish pins the frame of the pin in progress, a table (`typeSafety`'s
// pinning clause: likewise);
// every entry they write is in a frame the caller owns (checkOwned, update_va_mapping's owner
// check, grantCopy's resolution).
// The rest of `frameOwnership` holds by framing: these steps write no owner, `alive`, `used`,
// allocation, maxPages or the allocation enumeration (`allocSlot`/`allocIndex`), so the domain
// part (alive ⇒ a used 16-bit id within its reservation) and the counting part (allocation ==
// the number of frames owned: allocationIndex / allocationSlots) are those of the pre-state; nor
// do they write the M2P (the model's mmuUpdate is `MMU_NORMAL_PT_UPDATE` only).

/// `frameOwnership` at frame f, the per-frame part (as `frameOwnershipInv`).
func ownershipAtFrame(_ s: SymState, _ f: BV) -> Z3Bool {
  let o = s.owner[f]
  return frameOwnershipAt(s, f)
    && (o .== DecisionOwner.free).implies(
      s.refCount[f] .== 0 && s.typeCount[f] .== 0 && s.type[f] .== DecisionPageType.none && !flag(s.pinned[f])
        && !flag(s.validated[f]))
    && (o .== DecisionOwner.hypervisor).implies(s.refCount[f] .== 0 && s.typeCount[f] .== 0 && !flag(s.pinned[f]))
}

/// `frameOwnership` at entry j of frame f, the contents part: a free frame is scrubbed.
func ownershipAtEntry(_ s: SymState, _ f: BV, _ j: BV) -> Z3Bool {
  (s.owner[f] .== DecisionOwner.free).implies(s.pt.pte[f, j] .== 0)
}

/// The grant link: a grant mapping d holds of f (`pt.grantRead`, the model's `grantAllows`) is of
/// a domain's frame. Not assumed: it follows from invariants (`grantLinkFacts`), which is what
/// the goals assume.
func grantLinkAt(_ s: SymState, _ d: BV, _ f: BV) -> Z3Bool {
  flag(s.pt.grantRead[d, f]).implies(s.owner[f] .< 0x1_0000)
}

/// What else a frameOwnership goal assumes at the step's frames: nothing, typeSafety (a frame
/// mid-validation is an l1, so neither free nor the hypervisor's), or the counting equations and
/// their bound (a frame mid-un-validation holds the pin's reference, so its count is not 0).
enum OwnershipFacts { case none, typeSafety, counts }

/// The frameOwnership goal: the claim at a fresh frame `claim.frame` and entry `claim.index`.
/// Ground: from frameOwnership before the step at the claim's points (a touched frame that is
/// the claimed one is covered by them), isolation at the step's slots, the grant link at its
/// grant uses and `facts` at its frames: nothing more (Z3's work grows with every hypothesis).
/// `small`: in `smallPTState` with no grants (the link holds everywhere), every invariant at its
/// support (so a counterexample is genuine). `assume`: frameOwnership is assumed before the step
/// (false: the noInductionHypothesis mutant).
private func ownershipGoal(_ step: PTStep, facts: OwnershipFacts = .none, small: Bool = false, assume: Bool = true) -> Goal {
  if !step.cases.isEmpty { return .byCases(step.cases.map { ownershipGoal($0, facts: facts, small: small, assume: assume) }) }
  let cf = BV("claim.frame"), cj = BV("claim.index")
  var base = SymState(), support: [Z3Bool] = []
  if small {
    let (b, terms, h) = smallPTState()
    base = b
    base.pt.grantRead = Field2 { _, _ in kFalse }
    base.pt.grantWrite = Field2 { _, _ in kFalse }
    support = h + ptInstances(base, terms)
      + (assume ? terms.frames.map { ownershipAtFrame(base, $0) } + terms.slots.map { ownershipAtEntry(base, $0.0, $0.1) } : [])
    support += ghostSupport(step.initial(base), terms)
  }
  let s = step.initial(base)
  let (r, next) = step.transition(s)
  var hyps = configRanges(s) + step.hypotheses(s) + [!r.refused] + r.assumptions + support
  if !small {
    if assume { hyps += [ownershipAtFrame(s, cf), ownershipAtEntry(s, cf, cj)] }
    for f in step.frames(s) {
      switch facts {
      case .none: break
      case .typeSafety: hyps.append(typeSafetyAtFrame(s, f))
      case .counts: hyps += [refCountsAtFrame(s, f), s.pt.l1Refs[f] .< (1 << 58), s.pt.extRefs[f] .< (1 << 58)]
      }
    }
    hyps += step.slots.map { isolationAtSlot(s, $0.0, $0.1) } + step.grantUses(s).flatMap { grantLinkFacts(s, $0.0, $0.1) }
  }
  return Goal(
    claim: ownershipAtFrame(next, cf) && ownershipAtEntry(next, cf, cj), hypotheses: hyps,
    witnesses: step.witnesses + [.word("claim.frame", cf), .word("claim.index", cj)], logic: "QF_UFBV")
}

/// `<op>_frameOwnership` with mutants of weakened steps (refuted in the small state).
func ownershipObligation(
  _ op: String, step: @escaping @Sendable () -> PTStep, mutants: [(String, @Sendable () -> PTStep)]
) -> Obligation {
  Obligation(
    "\(op)_frameOwnership", mutants: mutants.map { m in Mutant(m.0) { ownershipGoal(m.1(), small: true) } }
  ) { ownershipGoal(step()) }
}

/// `<op>_frameOwnership` for a step no dropped check can break (what keeps it is the invariants
/// before it): the mutant drops frameOwnership before the step.
func ownershipObligation(
  _ op: String, step: @escaping @Sendable () -> PTStep, facts: OwnershipFacts = .none
) -> Obligation {
  Obligation("\(op)_frameOwnership", mutants: [Mutant("noInductionHypothesis") { ownershipGoal(step(), small: true, assume: false) }]) {
    ownershipGoal(step(), facts: facts)
  }
}

/// `<op>_scrubbed`: frameOwnership's contents clause (a free frame is scrubbed) at an arbitrary
/// entry after a step that frees frames, point-wise, from the clause at the same entry before:
/// what *establishes* it for a freed frame is the step's scrub (`contents[mfn] = nil`).
func scrubbedObligation(_ op: String, step: @escaping @Sendable () -> PTStep, mutant: (String, @Sendable () -> PTStep)) -> Obligation {
  @Sendable func goal(_ st: PTStep) -> Goal {
    let cf = BV("claim.frame"), cj = BV("claim.index")
    let s = st.initial(SymState())
    let (r, next) = st.transition(s)
    return Goal(
      claim: ownershipAtEntry(next, cf, cj),
      hypotheses: configRanges(s) + st.hypotheses(s) + [!r.refused] + r.assumptions + [ownershipAtEntry(s, cf, cj)],
      witnesses: st.witnesses + [.word("claim.frame", cf), .word("claim.index", cj)], logic: "QF_UFBV")
  }
  return Obligation("\(op)_scrubbed", mutants: [Mutant(mutant.0) { goal(mutant.1()) }]) { goal(step()) }
}

/// `updateVaMapping_refinesMMUUpdate`: every accepted updateVaMapping is an accepted mmuUpdate of
/// the same slot and value with the same effect, so each `mmuUpdate_<invariant>` proved here holds
/// for it too (a simulation, as seL4's refinement proofs use; `bulkhead prove --matrix` credits
/// updateVaMapping with mmuUpdate's invariants through this one obligation). Both are modEntry at
/// level 1; updateVaMapping's checks (the caller's own L1, in use) imply mmuUpdate's checkOwned
/// and its L1 branch, given that a typed frame exists (typeSafety at the table). Proving the
/// effects equal costs ~0.1 s where re-proving each invariant for updateVaMapping cost ~30 s.
private func refinesMMUUpdateGoal(_ bug: PTBug) -> Goal {
  let s = SymState()
  let d = BV("caller"), t = BV("table"), i = BV("index"), e = BV("entry")
  let (ru, u) = symUpdateVaMapping(caller: d, table: t, index: i, val: e, bug: bug)(s)
  let (rm, m) = symMMUUpdate(caller: d, table: t, index: i, val: e)(s)
  func same(_ a: Field, _ b: Field, _ name: String) -> Z3Bool {
    let x = BV("same.\(name)")
    return forall([x], a[x] .== b[x])
  }
  func same(_ a: Field2, _ b: Field2, _ name: String) -> Z3Bool {
    let x = BV("same.\(name).x"), y = BV("same.\(name).y")
    return forall([x, y], a[x, y] .== b[x, y])
  }
  let effect = [
    same(u.owner, m.owner, "owner"), same(u.refCount, m.refCount, "refCount"), same(u.typeCount, m.typeCount, "typeCount"),
    same(u.type, m.type, "type"), same(u.validated, m.validated, "validated"), same(u.pinned, m.pinned, "pinned"),
    same(u.pt.pte, m.pt.pte, "pte"), same(u.pt.l1Refs, m.pt.l1Refs, "l1Refs"), same(u.pt.refSlot, m.pt.refSlot, "refSlot"),
    same(u.pt.refIndex, m.pt.refIndex, "refIndex"), same(u.pt.wRefs, m.pt.wRefs, "wRefs"), same(u.pt.wSlot, m.pt.wSlot, "wSlot"),
    same(u.pt.wIndex, m.pt.wIndex, "wIndex"),
  ]
  return Goal(
    claim: !rm.refused && all(effect),
    hypotheses: configRanges(s) + callerHypotheses(s, d) + [i .< 512, typeSafetyAtFrame(s, t), !ru.refused] + ru.assumptions
      + rm.assumptions,
    witnesses: [.word("caller", d), .word("table", t), .word("index", i), .word("entry", e)])
}

private let updateVaMappingRefinement = Obligation(
  "updateVaMapping_refinesMMUUpdate",
  mutants: [
    Mutant("writesNonL1") { refinesMMUUpdateGoal(.noTableTypeCheck) },
    Mutant("writesForeignL1") { refinesMMUUpdateGoal(.noTableOwnerCheck) },
    Mutant("noTypeCheck") { refinesMMUUpdateGoal(.noTypeCheck) },
    Mutant("noOwnerCheck") { refinesMMUUpdateGoal(.noOwnerCheck) },
  ]
) { refinesMMUUpdateGoal(.none) }

/// The page-table steps × frameOwnership.
private let pageTableOwnershipObligations: [Obligation] = [
  // an entry to a free frame (its reference count leaves 0); a data write into a free frame
  ownershipObligation(
    "mmuUpdate", step: mmuUpdate(), mutants: [("noOwnerCheck", mmuUpdate(.noOwnerCheck)), ("writesFreeFrame", mmuUpdate(.noCheckOwned))]),
  ownershipObligation("mmuextOpPinL1", step: pin()),
  ownershipObligation("mmuextOpPinL1ValidateStart", step: pinStart(), mutants: [("pinsFreeFrame", pinStart(.noCheckOwned))]),
  ownershipObligation("mmuextOpPinL1Validate", step: validateEntry(), mutants: [("noOwnerCheck", validateEntry(.noOwnerCheck))]),
  ownershipObligation("mmuextOpPinL1ValidateFinish", step: validateFinish()),
  ownershipObligation("mmuextOpPinFinish", step: pinFinish(), facts: .typeSafety),
  ownershipObligation("mmuextOpUnpinL1", step: unpin()),
  ownershipObligation("mmuextOpPinL2-L4", step: pin(upper: true)),
  ownershipObligation("mmuextOpUnpinL2-L4", step: unpin(upper: true)),
  ownershipObligation("mmuextOpUnpinL1UnvalidateStart", step: unpinStart()),
  ownershipObligation(
    "mmuextOpUnpinL1Unvalidate", step: unvalidateEntry(), mutants: [("releasesAbsentEntry", unvalidateEntry(.releasesAbsentEntry))]),
  ownershipObligation("mmuextOpUnpinL1UnvalidateFinish", step: unvalidateFinish()),
  ownershipObligation("mmuextOpUnpinFinish", step: unpinFinish(), facts: .counts),
  // the unresolved copy (any destination) writes a free frame's contents
  ownershipObligation("grantCopy", step: copyResolved(), mutants: [("copiesIntoFreeFrame", copy())]),
]

let pageTableObligations: [Obligation] = {
  let rc = referenceCountsEquationsPT, ri = referenceIndexPT, rs = referenceSlotsPT
  let ts = typeSafetyPT, iso = isolationPT
  // isolation needs only itself and typeSafety before a validation step (fewer hypotheses: cheaper)
  var isoLocal = isolationPT
  isoLocal.assumes = [isolationPT.name, typeSafetyPT.name]
  // the counting equations after an unpin: the frame, untyped, is not pinned (typeSafety)
  var rcTS = referenceCountsEquationsPT
  rcTS.assumes = [rc.name, ri.name, ts.name]
  // typeSafety across a loop iteration needs the counts (no wrap on taking a type; a frame left
  // untyped has no R/W slot) but not the enumerations' other half: fewer hypotheses, cheaper
  var tsLocal = typeSafetyPT
  tsLocal.assumes = [ts.name, rc.name, ri.name]
  return [
    // exact counts across one entry update: by cases of the entry kinds (ModEntryCase)
    ptObligation("mmuUpdate", rc, step: mmuUpdate(byCases: true), mutant: "leaksOldReference", mmuUpdate(.noPutPage)),
    // the enumerations across one entry update: by cases, then by enumeration and claimed point
    // (`ptEntryEnumGoals`)
    ptObligation("mmuUpdate", ri, step: mmuUpdate(byCases: true)),
    ptObligation("mmuUpdate", rs, step: mmuUpdate(byCases: true), mutant: "noTypeCheck", mmuUpdate(.noTypeCheck)),
    ptObligation("mmuUpdate", tsLocal, step: mmuUpdate(byCases: true), mutant: "noTypeCheck", mmuUpdate(.noTypeCheck)),
    ptObligation("mmuUpdate", iso, step: mmuUpdate(), mutant: "noOwnerCheck", mmuUpdate(.noOwnerCheck)),
    localObligation("mmuextOpPinL1", rc, step: pin(), mutants: [("noGetPage", pin(.noGetPage))]),
    localObligation("mmuextOpPinL1", ri, step: pin()),
    localObligation("mmuextOpPinL1", rs, step: pin()),
    localObligation("mmuextOpPinL1", ts, step: pin(), mutants: [("pinsNonTable", pin(.noTypeCheck))]),
    localObligation("mmuextOpPinL1", iso, step: pin()),
    // pinning with validation: start, one loop iteration, finish
    localObligation("mmuextOpPinL1ValidateStart", rc, step: pinStart(), mutants: [("noGetPage", pinStart(.noGetPage))]),
    localObligation("mmuextOpPinL1ValidateStart", ri, step: pinStart(), mutants: [("startsMidway", pinStart(.startsMidway))]),
    localObligation("mmuextOpPinL1ValidateStart", rs, step: pinStart()),
    localObligation("mmuextOpPinL1ValidateStart", ts, step: pinStart(), mutants: [("noValidatedFlag", pinStart(.noValidatedFlag))]),
    localObligation("mmuextOpPinL1ValidateStart", iso, step: pinStart()),
    ptObligation(
      "mmuextOpPinL1Validate", rc, step: validateEntry(byCases: true), mutant: "noGetPage", validateEntry(.noGetPage)),
    ptObligation("mmuextOpPinL1Validate", ri, step: validateEntry(byCases: true)),
    ptObligation(
      "mmuextOpPinL1Validate", rs, step: validateEntry(byCases: true), mutant: "noTypeCheck", validateEntry(.noTypeCheck)),
    ptObligation("mmuextOpPinL1Validate", tsLocal, step: validateEntry(), mutant: "noTypeCheck", validateEntry(.noTypeCheck)),
    ptObligation("mmuextOpPinL1Validate", isoLocal, step: validateEntry(), mutant: "noOwnerCheck", validateEntry(.noOwnerCheck)),
    localObligation("mmuextOpPinL1ValidateFinish", rc, step: validateFinish()),
    localObligation("mmuextOpPinL1ValidateFinish", ri, step: validateFinish(), mutants: [("finishesEarly", validateFinish(.finishesEarly))]),
    localObligation("mmuextOpPinL1ValidateFinish", rs, step: validateFinish()),
    localObligation("mmuextOpPinL1ValidateFinish", ts, step: validateFinish()),
    localObligation("mmuextOpPinL1ValidateFinish", iso, step: validateFinish()),
    // the end of a pin with validation, of any level
    localObligation("mmuextOpPinFinish", rc, step: pinFinish(), mutants: [("noPinFlag", pinFinish(.noPinFlag))]),
    localObligation("mmuextOpPinFinish", ri, step: pinFinish()),
    localObligation("mmuextOpPinFinish", rs, step: pinFinish()),
    localObligation("mmuextOpPinFinish", ts, step: pinFinish()),
    localObligation("mmuextOpPinFinish", iso, step: pinFinish()),
    // unpinning with un-validation: start, one loop iteration, finish
    localObligation("mmuextOpUnpinL1UnvalidateStart", rc, step: unpinStart(), mutants: [("noPinnedCheck", unpinStart(.noPinnedCheck))]),
    localObligation("mmuextOpUnpinL1UnvalidateStart", ri, step: unpinStart()),
    localObligation("mmuextOpUnpinL1UnvalidateStart", rs, step: unpinStart()),
    localObligation("mmuextOpUnpinL1UnvalidateStart", ts, step: unpinStart(), mutants: [("noValidatedFlag", unpinStart(.noValidatedFlag))]),
    localObligation("mmuextOpUnpinL1UnvalidateStart", iso, step: unpinStart()),
    ptObligation(
      "mmuextOpUnpinL1Unvalidate", rc, step: unvalidateEntry(byCases: true), mutant: "noPutPage", unvalidateEntry(.noPutPage)),
    ptObligation("mmuextOpUnpinL1Unvalidate", ri, step: unvalidateEntry(byCases: true)),
    ptObligation("mmuextOpUnpinL1Unvalidate", rs, step: unvalidateEntry(byCases: true)),
    ptObligation("mmuextOpUnpinL1Unvalidate", tsLocal, step: unvalidateEntry()),
    ptObligation("mmuextOpUnpinL1Unvalidate", isoLocal, step: unvalidateEntry()),
    localObligation("mmuextOpUnpinL1UnvalidateFinish", rc, step: unvalidateFinish()),
    localObligation("mmuextOpUnpinL1UnvalidateFinish", ri, step: unvalidateFinish()),
    localObligation("mmuextOpUnpinL1UnvalidateFinish", rs, step: unvalidateFinish(), mutants: [("finishesEarly", unvalidateFinish(.finishesEarly))]),
    localObligation("mmuextOpUnpinL1UnvalidateFinish", ts, step: unvalidateFinish()),
    localObligation("mmuextOpUnpinL1UnvalidateFinish", iso, step: unvalidateFinish()),
    // the end of an unpin with un-validation, of any level
    localObligation("mmuextOpUnpinFinish", rcTS, step: unpinFinish(), mutants: [("noPutPage", unpinFinish(.noPutPage))]),
    localObligation("mmuextOpUnpinFinish", ri, step: unpinFinish()),
    localObligation("mmuextOpUnpinFinish", rs, step: unpinFinish()),
    localObligation("mmuextOpUnpinFinish", ts, step: unpinFinish()),
    localObligation("mmuextOpUnpinFinish", iso, step: unpinFinish()),
    localObligation("mmuextOpUnpinL1", rc, step: unpin(), mutants: [("noPinnedCheck", unpin(.noPinnedCheck))]),
    localObligation("mmuextOpUnpinL1", ri, step: unpin()),
    localObligation("mmuextOpUnpinL1", rs, step: unpin()),
    localObligation("mmuextOpUnpinL1", ts, step: unpin()),
    localObligation("mmuextOpUnpinL1", iso, step: unpin()),
    // L2–L4 tables already of that type (no recursive (un)validation): the pin's references only
    localObligation("mmuextOpPinL2-L4", rc, step: pin(upper: true), mutants: [("noGetPage", pin(.noGetPage, upper: true))]),
    localObligation("mmuextOpPinL2-L4", ri, step: pin(upper: true)),
    localObligation("mmuextOpPinL2-L4", rs, step: pin(upper: true)),
    localObligation("mmuextOpPinL2-L4", ts, step: pin(upper: true), mutants: [("pinsNonTable", pin(.noTypeCheck, upper: true))]),
    localObligation("mmuextOpPinL2-L4", iso, step: pin(upper: true)),
    localObligation("mmuextOpUnpinL2-L4", rc, step: unpin(upper: true), mutants: [("noPinnedCheck", unpin(.noPinnedCheck, upper: true))]),
    localObligation("mmuextOpUnpinL2-L4", ri, step: unpin(upper: true)),
    localObligation("mmuextOpUnpinL2-L4", rs, step: unpin(upper: true)),
    localObligation("mmuextOpUnpinL2-L4", ts, step: unpin(upper: true)),
    localObligation("mmuextOpUnpinL2-L4", iso, step: unpin(upper: true)),
    // a new domain holds no reference and no grant permission
    ptObligation("domainCreate", rc, step: createDomain()),
    ptObligation("domainCreate", ri, step: createDomain()),
    ptObligation("domainCreate", rs, step: createDomain()),
    ptObligation("domainCreate", iso, step: createDomain()),
    // grantCopy writes a frame that is no page table: every live slot keeps its entry
    ptObligation("grantCopy", rc, step: copy()),
    ptObligation("grantCopy", ri, step: copy(), mutant: "copiesIntoPageTable", copy(.copiesIntoPageTable)),
    ptObligation("grantCopy", rs, step: copy(), mutant: "copiesIntoPageTable", copy(.copiesIntoPageTable)),
    ptObligation("grantCopy", ts, step: copy(), mutant: "copiesIntoPageTable", copy(.copiesIntoPageTable)),
    ptObligation("grantCopy", iso, step: copy(), mutant: "copiesIntoPageTable", copy(.copiesIntoPageTable)),
  ] + pageTableOwnershipObligations + [updateVaMappingRefinement]
}()

/// Nothing is left outside the default run (the modEntry enumerations moved into it).
let pageTableSlowObligations: [Obligation] = []
