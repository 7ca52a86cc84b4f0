// The Spec's page-table entry rule, restated symbolically.
//
// Line-by-line parallel to `getEntryReferences` and `getPageType` in Spec/References.swift: the
// check part only (which errno, if any, is thrown before the first recursive validation). Frame
// owners and page types use Core's Decision encodings (DecisionOwner, DecisionPageType).

import BulkheadCore
import Z3Kit

/// The Spec's `FrameInfo` fields of one frame, symbolically.
struct SymFrameInfo {
  var owner: BV
  var type: BV
  var typeCount: BV

  /// A free frame record named `name` (all three fields unconstrained).
  init(_ name: String) {
    owner = BV("\(name).owner")
    type = BV("\(name).type")
    typeCount = BV("\(name).typeCount")
  }

  /// The Spec's enums can only hold these encodings.
  var wellFormed: Z3Bool {
    ((owner .< 0x1_0000) || owner .== DecisionOwner.free || owner .== DecisionOwner.hypervisor)
      && type .<= DecisionPageType.shared
  }
}

/// Symbolic `PTE` helpers (Spec/PTE.swift).
enum SymPTE {
  static func frame(_ e: BV) -> BV { (e & DecisionPTE.frameMask) >> 12 }
  static func isPresent(_ e: BV) -> Z3Bool { (e & DecisionPTE.present) .!= 0 }
  static func isWritable(_ e: BV) -> Z3Bool { (e & DecisionPTE.writable) .!= 0 }
}

/// The check `getPageType(mfn, t)` performs before changing anything: at type count > 0 the
/// type must already be `t` (EINVAL).
func specGetPageTypeCheck(_ r: inout Refusals, _ f: SymFrameInfo, _ t: BV) {
  r.when(f.typeCount .> 0) { r in
    r.guard(f.type .== t, DecisionErrno.EINVAL)  // type conflict
  }
}

/// `getEntryReferences(e, at: level, for: d)` (checks only) for a present entry `e`.
///
/// - Parameters:
///   - level: 1...4 (the Spec's `Level`).
///   - frameCount: frames `0..<frameCount` exist.
///   - f: the record of frame `PTE.frame(e)`.
///   - grantRead / grantWrite: `grantAllows(d, target, writable: false / true)`.
func specGetEntryReferences(
  _ e: BV, at level: BV, for d: BV, frameCount: BV, target f: SymFrameInfo,
  grantRead: Z3Bool, grantWrite: Z3Bool
) -> Refusals {
  var r = Refusals()
  let flags = e & ~DecisionPTE.frameMask
  r.when(level .== 1) { r in
    r.guard((flags & ~DecisionPTE.l1Allowed) .== 0, DecisionErrno.EINVAL)  // Rule.noReservedBits
  }
  r.when(level .!= 1) { r in
    r.throwIf(level .!= 4 && (e & DecisionPTE.pageSize) .!= 0, DecisionErrno.EINVAL)  // Rule.noSuperpages
    r.guard((flags & ~DecisionPTE.upperAllowed) .== 0, DecisionErrno.EINVAL)  // Rule.noReservedBits
  }
  let target = SymPTE.frame(e)
  r.guard(target .< frameCount, DecisionErrno.EINVAL)  // guard let f = frames[target]
  r.throwIf(f.owner .== DecisionOwner.hypervisor, DecisionErrno.EPERM)  // Rule.noHypervisorFrames

  r.when(level .== 1) { r in
    let rw = SymPTE.isWritable(e)
    r.when(f.owner .!= d) { r in  // Rule.ownFramesOnly, grant clause
      r.guard(grantRead, DecisionErrno.EINVAL)
      r.guard(!rw || grantWrite, DecisionErrno.EPERM)
    }
    r.when(rw) { r in specGetPageTypeCheck(&r, f, BV(constant: DecisionPageType.writable)) }
  }

  r.when(level .!= 1) { r in
    r.guard(f.owner .== d, DecisionErrno.EINVAL)  // Rule.ownFramesOnly
    let linear = level .== 4 && f.type .== DecisionPageType.l4 && f.typeCount .> 0
    r.when(linear) { r in
      r.guard(!SymPTE.isWritable(e), DecisionErrno.EINVAL)  // Rule.linearReadOnly (XSA-182)
      specGetPageTypeCheck(&r, f, BV(constant: DecisionPageType.l4))
    }
    r.when(!linear) { r in specGetPageTypeCheck(&r, f, level &- 1) }  // level.lower!.pageType
  }
  return r
}
