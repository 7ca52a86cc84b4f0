// Xen x86-64 PV ABI numbers used by the memory-management hypercalls (xen/include/public/xen.h,
// memory.h, grant_table.h). Only what the core decodes is listed.

/// Hypercall command numbers and request encodings.
public enum XenABI {
  // -- mmu_update: the command sits in bits 0..2 of `ptr` --
  /// `MMU_NORMAL_PT_UPDATE`: checked `*ptr = val`; `ptr` is the machine address of an entry.
  public static let mmuNormalPTUpdate: UInt64 = 0
  /// `MMU_MACHPHYS_UPDATE`: `ptr` is the machine address of a frame, `val` its new M2P entry.
  public static let mmuMachphysUpdate: UInt64 = 1

  // -- mmuext_op commands --
  /// `MMUEXT_PIN_L1_TABLE`; L2..L4 follow (1, 2, 3).
  public static let mmuextPinL1Table: UInt32 = 0
  /// `MMUEXT_UNPIN_TABLE`.
  public static let mmuextUnpinTable: UInt32 = 4
  /// `MMUEXT_NEW_BASEPTR`.
  public static let mmuextNewBaseptr: UInt32 = 5
  /// `MMUEXT_TLB_FLUSH_LOCAL`.
  public static let mmuextTLBFlushLocal: UInt32 = 6
  /// `MMUEXT_INVLPG_LOCAL`.
  public static let mmuextInvlpgLocal: UInt32 = 7

  // -- update_va_mapping flags --
  /// `UVMF_TLB_FLUSH`: flush the whole TLB after the update.
  public static let uvmfTLBFlush: UInt64 = 1
  /// `UVMF_INVLPG`: flush only the updated address.
  public static let uvmfInvlpg: UInt64 = 2
  /// `UVMF_FLUSHTYPE_MASK`.
  public static let uvmfFlushTypeMask: UInt64 = 3

  // -- memory_op / grant_table_op command numbers (for the kernel's dispatcher) --
  /// `XENMEM_decrease_reservation`.
  public static let xenmemDecreaseReservation: UInt32 = 1
  /// `XENMEM_populate_physmap`.
  public static let xenmemPopulatePhysmap: UInt32 = 6
  /// `GNTTABOP_map_grant_ref`.
  public static let gnttabMapGrantRef: UInt32 = 0
  /// `GNTTABOP_unmap_grant_ref`.
  public static let gnttabUnmapGrantRef: UInt32 = 1
  /// `GNTTABOP_setup_table`.
  public static let gnttabSetupTable: UInt32 = 2
  /// `GNTTABOP_copy`.
  public static let gnttabCopy: UInt32 = 5

  /// Page-table entries per table (4096 / 8).
  public static let entriesPerTable = 512
}
