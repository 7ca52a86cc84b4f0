// grantCheck / grantMapCheck: may `grantee` use grant entry `ref` of `granter`?
//
// The Spec's `resolveGrant` and the checking half of `grantMap` (Spec/Grants.swift). The caller
// looks up the entry and the frame record and passes their fields; proofs/Obligations proves
// (grantCheck_agreesWithSpec, grantMapCheck_agreesWithSpec) that the errno is the Spec's.
//
// Conditions, in the Spec's order (first failing one wins):
//   1. granter not alive                        -> ESRCH
//   2. no entry at ref                          -> ENOENT
//   3. entry names another grantee              -> EPERM
//   4. write requested, entry is GTF_readonly   -> EPERM
//   5. granter no longer owns the frame         -> EINVAL
// grantMapCheck adds, for a writable mapping:
//   6. frame typed (count > 0) and not writable -> EINVAL (a granted page table is never writable)

/// The errno (0 = allowed) of resolving a grant entry for `grantee`.
///
/// - Parameters:
///   - granterAlive: `granter` exists and is not dead.
///   - entryInUse: `granter`'s table has an entry at the reference.
///   - entryGrantee / grantee: the domain the entry names, the domain asking (16-bit ids).
///   - entryReadOnly: the entry's `GTF_readonly`.
///   - write: the caller asks for write access.
///   - frameOwner / granter: owner of the entry's frame (`DecisionOwner`), the granting domain.
@inline(__always)
public func grantCheck<W: DecisionWord>(
  granterAlive: W.Condition, entryInUse: W.Condition, entryGrantee: W, grantee: W,
  entryReadOnly: W.Condition, write: W.Condition, frameOwner: W, granter: W
) -> W {
  W.select(
    .!granterAlive, W.k(DecisionErrno.ESRCH),
    W.select(
      .!entryInUse, W.k(DecisionErrno.ENOENT),
      W.select(
        (entryGrantee .!= grantee) .| (write .& entryReadOnly), W.k(DecisionErrno.EPERM),
        W.select(frameOwner .!= granter, W.k(DecisionErrno.EINVAL), W.k(0)))))
}

/// The errno (0 = allowed) of `GNTTABOP_map_grant_ref` before any state changes: `grantCheck`
/// with `write = !readOnly`, then the writable type for a writable mapping.
@inline(__always)
public func grantMapCheck<W: DecisionWord>(
  granterAlive: W.Condition, entryInUse: W.Condition, entryGrantee: W, grantee: W,
  entryReadOnly: W.Condition, readOnly: W.Condition, frameOwner: W, granter: W,
  frameType: W, frameTypeCount: W
) -> W {
  let resolved = grantCheck(
    granterAlive: granterAlive, entryInUse: entryInUse, entryGrantee: entryGrantee,
    grantee: grantee, entryReadOnly: entryReadOnly, write: .!readOnly, frameOwner: frameOwner,
    granter: granter)
  let typeConflict =
    .!readOnly .& (frameTypeCount .!= W.k(0)) .& (frameType .!= W.k(DecisionPageType.writable))
  return W.select(
    resolved .!= W.k(0), resolved, W.select(typeConflict, W.k(DecisionErrno.EINVAL), W.k(0)))
}
