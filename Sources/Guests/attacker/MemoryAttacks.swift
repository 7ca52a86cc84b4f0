/// Attacks on memory isolation: other domains' frames, hypervisor frames, the guest's own page
/// tables (Spec/Attacks.swift: mapForeignFrame, mapHypervisorFrame, writableMappingOfOwnL1,
/// writableMappingViaUpdateVa, pinForeignFrame, pinMappedDataAsL1, typeConfusionL1AsL2,
/// newBaseptrForeign, reservedBitsInPTE, decreaseReservationOfPinnedTable,
/// writeForeignFrameViaMMUUpdate, exceedReservation; XSA-148, XSA-182, XSA-185).
import GuestArch

let rw = PageTable.present | PageTable.writable | PageTable.user | PageTable.accessed
let ro = PageTable.present | PageTable.user | PageTable.accessed

/// Attacks that try to reach frames the guest does not own.
func memoryAttacks() {
  for (i, f) in Target.foreign.enumerated() {
    attack("mapForeignFrame[\(i)] (update_va_mapping, mfn \(hex(f)))") { errno(uva(Target.victimVA, f << 12 | ro)) }
    attack("mapForeignFrameRW[\(i)] (mmu_update)") { errno(mmu1(Target.victimPTE, f << 12 | rw)) }
  }
  if let f = Target.foreign.first {
    attack("pinForeignFrame (as L1)") { errno(ext1(XEN_MMUEXT_PIN_L1_TABLE, f)) }
    attack("newBaseptrForeign") { errno(ext1(XEN_MMUEXT_NEW_BASEPTR, f)) }
    attack("writeForeignFrameViaMMUUpdate") { errno(mmu1(f << 12, 0x41)) }
    attack("machphysUpdateForeign (claim its M->P entry)") {
      errno(mmu1(f << 12 | UInt64(XEN_MMU_MACHPHYS_UPDATE), 5))
    }
    attack("decreaseReservationOfForeign") { errno(reservation(XEN_XENMEM_decrease_reservation, [f])) }
    attack("unpinForeign") { errno(ext1(XEN_MMUEXT_UNPIN_TABLE, f)) }
  }
  for (i, f) in Target.hypervisor.enumerated() {
    attack("mapHypervisorFrame[\(i)] (mfn \(hex(f)), read-only)") { errno(uva(Target.victimVA, f << 12 | ro)) }
    attack("mapHypervisorFrameRW[\(i)] (mmu_update)") { errno(mmu1(Target.victimPTE, f << 12 | rw)) }
    attack("writeHypervisorFrameViaMMUUpdate[\(i)]") { errno(mmu1(f << 12, 0x41)) }
  }
  attack("pinHypervisorFrame (as L4)") { errno(ext1(XEN_MMUEXT_PIN_L4_TABLE, 0x100)) }
  attack("newBaseptrHypervisorFrame") { errno(ext1(XEN_MMUEXT_NEW_BASEPTR, 0x100)) }
  attack("decreaseReservationOfHypervisorFrame") { errno(reservation(XEN_XENMEM_decrease_reservation, [0x100])) }
  attack("machphysUpdateHypervisorFrame") { errno(mmu1(0x100 << 12 | UInt64(XEN_MMU_MACHPHYS_UPDATE), 5)) }
  attack("exceedReservation (populate_physmap of 512 frames)") {
    let before = (try? MemoryOp.currentReservation()) ?? 0
    let max = (try? MemoryOp.maximumReservation()) ?? 0
    let pfns = (0..<512).map { UInt64(0x10_0000 + $0) }
    let r = reservation(XEN_XENMEM_populate_physmap, pfns)
    let after = (try? MemoryOp.currentReservation()) ?? 0
    if r < 0 { return .refused("errno \(-r)") }
    return after <= max ? .refused("\(r) of 512 within the reservation (\(before) -> \(after) of \(max))")
      : .breach("reservation \(after) > maximum \(max)")
  }
}

/// Attacks on the guest's own page tables: they must stay read-only to it and well-typed.
func pageTableAttacks() {
  let l1 = Target.l1, l2 = Target.l2, l3 = Target.l3, l4 = Target.l4
  attack("writableMappingOfOwnL1 (mmu_update)") { errno(mmu1(Target.victimPTE, l1 << 12 | rw)) }
  attack("writableMappingViaUpdateVa (own L2)") { errno(uva(Target.victimVA, l2 << 12 | rw)) }
  attack("writableMappingOfOwnL3") { errno(uva(Target.victimVA, l3 << 12 | rw)) }
  attack("writableMappingOfOwnL4") { errno(uva(Target.victimVA, l4 << 12 | rw)) }
  attack("writeOwnL1Directly (store to its read-only mapping)") {
    let va = PageTable.virtualAddress(ofPFN: PageTable.pfn(ofMFN: l1), Target.boot) ?? 0
    let r = guest_probe_store64(va + 8 * 511, Target.victimMFN << 12 | rw)
    if r & 0x100 != 0, let f = Exceptions.last, f.vector == Exceptions.pageFault {
      return .refused("#PF at \(hex(f.cr2))")
    }
    return fault(r)
  }
  attack("xsa182RecursiveRWFlip") {
    // A read-only linear entry is allowed; flipping it to RW must not be.
    let slot: UInt64 = 200
    let first = mmu1(l4 << 12 + slot * 8, l4 << 12 | ro)
    defer { _ = mmu1(l4 << 12 + slot * 8, 0) }
    let flip = mmu1(l4 << 12 + slot * 8, l4 << 12 | rw)
    if flip >= 0 { return .breach("RW linear L4 entry accepted (read-only one: \(first))") }
    return .refused("errno \(-flip); the read-only linear entry gave \(first)")
  }
  attack("xsa148WritableSuperpage (L2 PS|RW)") {
    errno(mmu1(l2 << 12 + 100 * 8, Target.victimMFN << 12 | rw | PageTable.huge))
  }
  attack("xsa148WritableSuperpageOverOwnTables (L2 PS|RW at 0)") {
    errno(mmu1(l2 << 12 + 101 * 8, 0 | rw | PageTable.huge))
  }
  attack("l3Superpage (1 GiB PS)") { errno(mmu1(l3 << 12 + 5 * 8, rw | PageTable.huge)) }
  attack("xsa185RecursiveL3RW") { errno(mmu1(l3 << 12 + 5 * 8, l3 << 12 | rw)) }
  attack("l2PointsAtOwnL2RW") { errno(mmu1(l2 << 12 + 102 * 8, l2 << 12 | rw)) }
  attack("reservedBitsInPTE (bit 52)") { errno(mmu1(Target.victimPTE, Target.victimMFN << 12 | ro | 1 << 52)) }
  attack("typeConfusionL1AsL2 (pin own L1 as L2)") { errno(ext1(XEN_MMUEXT_PIN_L2_TABLE, l1)) }
  attack("typeConfusionL4AsL1") { errno(ext1(XEN_MMUEXT_PIN_L1_TABLE, l4)) }
  attack("pinMappedDataAsL1 (writably mapped heap page)") { errno(ext1(XEN_MMUEXT_PIN_L1_TABLE, Target.victimMFN)) }
  attack("newBaseptrDataFrame") { errno(ext1(XEN_MMUEXT_NEW_BASEPTR, Target.victimMFN)) }
  attack("decreaseReservationOfPinnedTable (own L4)") { errno(reservation(XEN_XENMEM_decrease_reservation, [l4])) }
  attack("decreaseReservationOfLiveL1") { errno(reservation(XEN_XENMEM_decrease_reservation, [l1])) }
  attack("l4ReservedSlot256 (M->P slot)") { errno(mmu1(l4 << 12 + 256 * 8, Target.victimMFN << 12 | ro)) }
  attack("l4ReservedSlot255 (Bulkhead image slot)") { errno(mmu1(l4 << 12 + 255 * 8, l3 << 12 | ro)) }
  attack("l4ReservedSlot262 (direct map slot)") { errno(mmu1(l4 << 12 + 262 * 8, 0)) }
  attack("mmuUpdateUnknownCommand (ptr | 4)") { errno(mmu1(Target.victimPTE | 4, Target.victimMFN << 12 | ro)) }
  attack("mmuUpdateUnknownCommand (ptr | 7)") { errno(mmu1(Target.victimPTE | 7, Target.victimMFN << 12 | ro)) }
}
