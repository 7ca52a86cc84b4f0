// grantCheck_* / grantMapCheck_*: Core's grant decisions equal the Spec's `resolveGrant` and the
// checking half of `grantMap` (Spec/Grants.swift), for every combination of inputs.

import BulkheadCore
import Z3Kit

/// Free inputs of a grant decision.
struct GrantInputs {
  let granterAlive = Z3Bool("granterAlive")
  let entryInUse = Z3Bool("entryInUse")
  let entryGrantee = BV("entryGrantee")
  let grantee = BV("grantee")
  let entryReadOnly = Z3Bool("entryReadOnly")
  let write = Z3Bool("write")
  let granter = BV("granter")
  let frame = SymFrameInfo("frame")

  var wellFormed: [Z3Bool] {
    [entryGrantee .< 0x1_0000, grantee .< 0x1_0000, granter .< 0x1_0000, frame.wellFormed]
  }

  var witnesses: [Witness] {
    [
      .flag("granterAlive", granterAlive), .flag("entryInUse", entryInUse),
      .word("entryGrantee", entryGrantee), .word("grantee", grantee),
      .flag("entryReadOnly", entryReadOnly), .flag("write", write), .word("granter", granter),
      .word("frameOwner", frame.owner), .word("frameType", frame.type),
      .word("frameTypeCount", frame.typeCount),
    ]
  }
}

/// `resolveGrant(granter, ref, for: grantee, write:)`, checks only.
func specResolveGrant(_ i: GrantInputs, write: Z3Bool) -> Refusals {
  var r = Refusals()
  r.guard(i.granterAlive, DecisionErrno.ESRCH)  // liveDomain(granter) != nil
  r.guard(i.entryInUse, DecisionErrno.ENOENT)  // let e = grantTables[granter]?.entries[ref]
  r.guard(i.entryGrantee .== i.grantee, DecisionErrno.EPERM)  // e.grantee == grantee
  r.guard(!write || !i.entryReadOnly, DecisionErrno.EPERM)  // !write || !e.readOnly
  r.guard(i.frame.owner .== i.granter, DecisionErrno.EINVAL)  // frame(e.frame).owner == .domain(granter)
  return r
}

/// `grantMap(caller:granter:ref:readOnly:)`, checks only (`write` is `!readOnly`).
func specGrantMap(_ i: GrantInputs) -> Refusals {
  var r = specResolveGrant(i, write: i.write)
  r.when(i.write) { r in specGetPageTypeCheck(&r, i.frame, BV(constant: DecisionPageType.writable)) }
  return r
}

func coreGrantCheck(_ i: GrantInputs, grantee: BV? = nil, entryReadOnly: Z3Bool? = nil, granter: BV? = nil) -> BV {
  grantCheck(
    granterAlive: SymBool(i.granterAlive), entryInUse: SymBool(i.entryInUse),
    entryGrantee: SymWord(i.entryGrantee), grantee: SymWord(grantee ?? i.grantee),
    entryReadOnly: SymBool(entryReadOnly ?? i.entryReadOnly), write: SymBool(i.write),
    frameOwner: SymWord(i.frame.owner), granter: SymWord(granter ?? i.granter)
  ).z
}

func coreGrantMapCheck(_ i: GrantInputs, typeCount: BV? = nil) -> BV {
  grantMapCheck(
    granterAlive: SymBool(i.granterAlive), entryInUse: SymBool(i.entryInUse),
    entryGrantee: SymWord(i.entryGrantee), grantee: SymWord(i.grantee),
    entryReadOnly: SymBool(i.entryReadOnly), readOnly: SymBool(!i.write),
    frameOwner: SymWord(i.frame.owner), granter: SymWord(i.granter),
    frameType: SymWord(i.frame.type), frameTypeCount: SymWord(typeCount ?? i.frame.typeCount)
  ).z
}

func grantAgreement(_ core: @escaping @Sendable (GrantInputs) -> BV) -> @Sendable () -> Goal {
  {
    let i = GrantInputs()
    return Goal(
      claim: core(i) .== specResolveGrant(i, write: i.write).errno, hypotheses: i.wellFormed,
      witnesses: i.witnesses)
  }
}

func grantMapAgreement(_ core: @escaping @Sendable (GrantInputs) -> BV) -> @Sendable () -> Goal {
  {
    let i = GrantInputs()
    return Goal(claim: core(i) .== specGrantMap(i).errno, hypotheses: i.wellFormed, witnesses: i.witnesses)
  }
}

let grantCheckObligations: [Obligation] = [
  Obligation(
    "grantCheck_agreesWithSpec",
    mutants: [
      // Any domain may use any grant: the grantee is not compared.
      Mutant("granteeIgnored", goal: grantAgreement { i in coreGrantCheck(i, grantee: i.entryGrantee) }),
      // GTF_readonly ignored.
      Mutant("readOnlyIgnored", goal: grantAgreement { i in coreGrantCheck(i, entryReadOnly: .false) }),
      // The granter granting a frame it no longer owns.
      Mutant("ownerIgnored", goal: grantAgreement { i in coreGrantCheck(i, granter: i.frame.owner) }),
    ],
    goal: grantAgreement { i in coreGrantCheck(i) }),
  Obligation(
    "grantMapCheck_agreesWithSpec",
    mutants: [
      // A granted page table mapped writable.
      Mutant("typeIgnored", goal: grantMapAgreement { i in coreGrantMapCheck(i, typeCount: BV(constant: 0)) })
    ],
    goal: grantMapAgreement { i in coreGrantMapCheck(i) }),
]
