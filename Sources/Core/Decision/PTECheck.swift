// pteCheck: may domain `requester` store page-table entry `entry` in a level-`level` table?
//
// This is the local part of the Spec's `getEntryReferences` (Spec/References.swift), decided
// from the entry and the target frame's bookkeeping. It does NOT validate the target's own
// contents: when the target takes a table type at type count 0, the caller validates it
// recursively (calling pteCheck on each of its present entries), exactly as the Spec's
// `getPageType` does. The proof `pteCheck_agreesWithSpec` shows that, for all 2^64 entries and
// every level, owner, type, count and grant situation, this returns the errno the Spec throws.
//
// Conditions, in the Spec's order (first failing one wins):
//   0. not present                                   -> ok (nothing to check)
//   1. level outside 1...4                           -> EINVAL (the Spec's Level cannot say it)
//   2. Rule.noReservedBits / Rule.noSuperpages       -> EINVAL
//   3. target MFN >= frameCount                      -> EINVAL
//   4. target owned by the hypervisor                -> EPERM  (Rule.noHypervisorFrames)
//   L1 entries:
//   5. foreign target and no grant mapping           -> EINVAL (Rule.ownFramesOnly)
//   6. foreign target, R/W, grant is read-only       -> EPERM
//   7. R/W and target typed (count > 0) not writable -> EINVAL (Rule.typeChangesOnlyAtZero)
//   L2..L4 entries:
//   5. foreign target                                -> EINVAL (Rule.ownFramesOnly)
//   6. L4 entry to a live L4 (linear) and R/W        -> EINVAL (Rule.linearReadOnly, XSA-182)
//   7. otherwise target typed (count > 0) and not the next-lower table type -> EINVAL

/// The errno (0 = allowed) for storing `entry` in a level-`level` page table of `requester`.
///
/// - Parameters:
///   - entry: the new raw PTE.
///   - level: 1...4, the level of the table being written.
///   - requester: the writing domain's id (`DecisionOwner.domain`).
///   - frameCount: number of machine frames; MFNs `>= frameCount` do not exist.
///   - targetOwner: owner of frame `(entry & frameMask) >> 12` (`DecisionOwner`).
///   - targetType: its page type (`DecisionPageType`).
///   - targetTypeCount: its type count.
///   - grantRead: `requester` holds a grant mapping of the target (any access).
///   - grantWrite: `requester` holds a writable grant mapping of the target.
@inline(__always)
public func pteCheck<W: DecisionWord>(
  entry: W, level: W, requester: W, frameCount: W,
  targetOwner: W, targetType: W, targetTypeCount: W,
  grantRead: W.Condition, grantWrite: W.Condition
) -> W {
  let zero = W.k(0)
  let present = entry.bit(0)
  let rw = entry.bit(1)
  let flags = entry & ~W.k(DecisionPTE.frameMask)
  let isL1 = level .== W.k(1)
  let isL4 = level .== W.k(4)
  let levelOK = (level .>= W.k(1)) .& (level .<= W.k(4))

  // 2. Rule.noReservedBits, Rule.noSuperpages (PS at L4 is a reserved bit there).
  let l1BadBits = flags.masked(~DecisionPTE.l1Allowed) .!= zero
  let upperBadBits = flags.masked(~DecisionPTE.upperAllowed) .!= zero
  let badBits = (isL1 .& l1BadBits) .| (.!isL1 .& upperBadBits)

  // 3, 4. The target frame.
  let target = (entry & W.k(DecisionPTE.frameMask)) >> W.k(12)
  let missing = .!(target .< frameCount)
  let hypervisor = targetOwner .== W.k(DecisionOwner.hypervisor)
  let foreign = targetOwner .!= requester
  let typed = targetTypeCount .!= zero

  // L1: own frames, or granted ones; writable needs a writable grant and a writable-typeable frame.
  let l1NoGrant = foreign .& .!grantRead
  let l1ReadOnlyGrant = foreign .& rw .& .!grantWrite
  let l1TypeConflict = rw .& typed .& (targetType .!= W.k(DecisionPageType.writable))

  // L2..L4: own frames only; a linear L4 entry read-only; else the next-lower table type.
  let linear = isL4 .& typed .& (targetType .== W.k(DecisionPageType.l4))
  let linearWritable = linear .& rw
  let upperTypeConflict = .!linear .& typed .& (targetType .!= (level &- W.k(1)))

  let l1Verdict = W.select(
    l1NoGrant, W.k(DecisionErrno.EINVAL),
    W.select(
      l1ReadOnlyGrant, W.k(DecisionErrno.EPERM),
      W.select(l1TypeConflict, W.k(DecisionErrno.EINVAL), zero)))
  let upperVerdict = W.select(
    foreign .| linearWritable .| upperTypeConflict, W.k(DecisionErrno.EINVAL), zero)

  return W.select(
    .!present, zero,
    W.select(
      .!levelOK .| badBits .| missing, W.k(DecisionErrno.EINVAL),
      W.select(hypervisor, W.k(DecisionErrno.EPERM), W.select(isL1, l1Verdict, upperVerdict))))
}

/// Decodes the `ptr` of an `mmu_update_t`: the command in bits 0..2, the target frame in bits
/// 12..63, the entry index in bits 3..11. The index is always < 512 and `frame << 12 | index << 3
/// | command == ptr`: a request can only name one whole, aligned entry (proof `xsa227_*`).
@inline(__always)
public func decodeMMUUpdatePointer<W: DecisionWord>(ptr: W) -> (command: W, frame: W, index: W) {
  (ptr & W.k(7), ptr >> W.k(12), (ptr & W.k(0xFFF)) >> W.k(3))
}
