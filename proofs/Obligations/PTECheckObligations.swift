// pteCheck_*: Core's pteCheck (Sources/Core/Decision/PTECheck.swift), run on symbolic inputs,
// returns exactly the errno of the Spec's getEntryReferences checks, for every 64-bit entry,
// every level and every owner / type / count / grant situation of the target frame.

import BulkheadCore
import Z3Kit

/// The free inputs of one pteCheck call.
struct PTEInputs {
  let entry = BV("entry")
  let level = BV("level")
  let requester = BV("requester")
  let frameCount = BV("frameCount")
  let target = SymFrameInfo("target")
  let grantRead = Z3Bool("grantRead")
  let grantWrite = Z3Bool("grantWrite")

  /// What the Spec's types can express: a Level, a 16-bit DomID, encodable owner and type.
  var wellFormed: [Z3Bool] {
    [level .>= 1, level .<= 4, requester .< 0x1_0000, target.wellFormed]
  }

  var witnesses: [Witness] {
    [
      .word("entry", entry), .word("level", level), .word("requester", requester),
      .word("frameCount", frameCount), .word("owner", target.owner), .word("type", target.type),
      .word("typeCount", target.typeCount), .flag("grantRead", grantRead),
      .flag("grantWrite", grantWrite),
    ]
  }

  /// The Spec's verdict: 0 for a non-present entry (modEntry checks only present ones).
  var specErrno: BV {
    let r = specGetEntryReferences(
      entry, at: level, for: requester, frameCount: frameCount, target: target,
      grantRead: grantRead, grantWrite: grantWrite)
    return BV.ite(SymPTE.isPresent(entry), r.errno, BV(constant: 0))
  }
}

/// Core's pteCheck on symbolic inputs; `entry`, `owner` etc. may be rewritten by a mutant.
func corePTECheck(
  _ i: PTEInputs, entry: BV? = nil, owner: BV? = nil, typeCount: BV? = nil, grantWrite: Z3Bool? = nil
) -> BV {
  pteCheck(
    entry: SymWord(entry ?? i.entry), level: SymWord(i.level), requester: SymWord(i.requester),
    frameCount: SymWord(i.frameCount), targetOwner: SymWord(owner ?? i.target.owner),
    targetType: SymWord(i.target.type), targetTypeCount: SymWord(typeCount ?? i.target.typeCount),
    grantRead: SymBool(i.grantRead), grantWrite: SymBool(grantWrite ?? i.grantWrite)
  ).z
}

/// Goal: the (possibly mutated) core check equals the Spec's verdict on well-formed inputs.
func pteAgreement(_ core: @escaping @Sendable (PTEInputs) -> BV) -> @Sendable () -> Goal {
  {
    let i = PTEInputs()
    return Goal(claim: core(i) .== i.specErrno, hypotheses: i.wellFormed, witnesses: i.witnesses)
  }
}

let pteCheckObligations: [Obligation] = [
  Obligation(
    "pteCheck_agreesWithSpec",
    mutants: [
      // XSA-148 shape: a PS entry at L2/L3 slips through.
      Mutant("superpageAllowed", goal: pteAgreement { i in
        let upper = i.level .== 2 || i.level .== 3
        return corePTECheck(i, entry: BV.ite(upper, i.entry & ~DecisionPTE.pageSize, i.entry))
      }),
      // Bits 52..62 not checked.
      Mutant("highBitsIgnored", goal: pteAgreement { i in
        corePTECheck(i, entry: i.entry & ~0x7FF0_0000_0000_0000)
      }),
      // Hypervisor frames treated as the requester's own.
      Mutant("hypervisorFrameAllowed", goal: pteAgreement { i in
        corePTECheck(
          i, owner: BV.ite(i.target.owner .== DecisionOwner.hypervisor, i.requester, i.target.owner))
      }),
      // XSA-182 shape: the R/W bit of a linear L4 entry ignored.
      Mutant("linearWritable", goal: pteAgreement { i in
        let linear = i.level .== 4 && i.target.type .== DecisionPageType.l4
        return corePTECheck(i, entry: BV.ite(linear, i.entry & ~DecisionPTE.writable, i.entry))
      }),
      // A read-only grant honoured as writable.
      Mutant("readOnlyGrantWritable", goal: pteAgreement { i in corePTECheck(i, grantWrite: i.grantRead) }),
      // Type count ignored: any frame can take any type.
      Mutant("typeConflictIgnored", goal: pteAgreement { i in corePTECheck(i, typeCount: BV(constant: 0)) }),
    ],
    goal: pteAgreement { i in corePTECheck(i) }),

  Obligation(
    "pteCheck_levelOutOfRange",
    mutants: [
      Mutant("levelFiveAccepted", goal: {
        let i = PTEInputs()
        let level = BV.ite(i.level .== 5, BV(constant: 4), i.level)
        let got = pteCheck(
          entry: SymWord(i.entry), level: SymWord(level), requester: SymWord(i.requester),
          frameCount: SymWord(i.frameCount), targetOwner: SymWord(i.target.owner),
          targetType: SymWord(i.target.type), targetTypeCount: SymWord(i.target.typeCount),
          grantRead: SymBool(i.grantRead), grantWrite: SymBool(i.grantWrite)
        ).z
        return Goal(
          claim: got .== DecisionErrno.EINVAL,
          hypotheses: [SymPTE.isPresent(i.entry), i.level .== 0 || i.level .> 4],
          witnesses: i.witnesses)
      })
    ]
  ) {
    // A present entry at a level the Spec cannot name is refused (EINVAL), never allowed.
    let i = PTEInputs()
    return Goal(
      claim: corePTECheck(i) .== DecisionErrno.EINVAL,
      hypotheses: [SymPTE.isPresent(i.entry), i.level .== 0 || i.level .> 4],
      witnesses: i.witnesses)
  },
]
