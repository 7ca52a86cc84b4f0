// Sizes of the memory manager. The first five mirror the Spec's `SpecConfig` so a differential
// test builds both from one description; the rest size the core's fixed tables.

/// Sizes of the memory manager's tables. All tables are allocated once, in `MemoryManager.init`
/// (frame table, domain slots) or in `domainCreate` (grant table, maptrack): never on the
/// mmu_update / validation path.
public struct MMConfig: Equatable, Sendable {
  /// Number of machine frames (MFN 0..<frameCount).
  public var frameCount: Int = 64
  /// Frames 0..<hypervisorFrames belong to the hypervisor.
  public var hypervisorFrames: Int = 8
  /// Maximum number of frames dom0 may own.
  public var dom0MaxPages: Int = 16
  /// Number of vCPUs dom0 is created with.
  public var dom0VCPUs: Int = 1
  /// Largest vCPU count `domainCreate` accepts.
  public var maxVCPUsPerDomain: Int = 4
  /// Largest number of grant-table frames a domain may set up.
  public var maxGrantFrames: Int = 4
  /// Grant entries per grant-table frame (v1 entries: 4096 / 8).
  public var grantEntriesPerFrame: Int = 512
  /// Domain slots (live domains at once, dom0 included). The Spec has no such bound: creating
  /// more is refused with ENOMEM, a documented divergence.
  public var maxDomains: Int = 32
  /// Grant mappings a domain may hold at once (its maptrack). The Spec has no such bound: a
  /// further `grantMap` is refused with ENOMEM, a documented divergence.
  public var maptrackEntries: Int = 256
  /// PML4 slots reserved for the hypervisor (Xen `is_guest_l4_slot`): a guest may not write an
  /// L4 entry there (EINVAL), and validation skips them, because the kernel fills them with its
  /// own supervisor entries after a guest L4 is validated. Empty by default, as in the Spec;
  /// the kernel uses 255..<272 (its image slot and Xen's hole).
  public var reservedL4Slots: Range<Int> = 0..<0

  /// The largest machine the 32-bit reference counts are proven safe for: each frame holds at
  /// most 512 entries, so frameCount * 513 (entries, plus one pin each) plus every CR3 and every
  /// grant mapping stays below 2^32. 8,000,000 frames = 30.5 GiB.
  public static let maxFrames = 8_000_000

  /// The default configuration (the Spec's defaults).
  public init() {}

  /// Whether every size is in range: counts positive, hypervisor frames within the machine,
  /// grant table indexable by a 32-bit reference, and the count-overflow bound above.
  public var isValid: Bool {
    frameCount > 0 && frameCount <= Self.maxFrames
      && hypervisorFrames >= 0 && hypervisorFrames <= frameCount
      && dom0MaxPages >= 0 && dom0VCPUs >= 1 && dom0VCPUs <= maxVCPUsPerDomain
      && maxVCPUsPerDomain >= 1 && maxVCPUsPerDomain <= 1024
      && maxGrantFrames >= 0 && maxGrantFrames <= 1024
      && grantEntriesPerFrame >= 1 && grantEntriesPerFrame <= 4096
      && maxDomains >= 1 && maxDomains <= 0xFFFF
      && maptrackEntries >= 0 && maptrackEntries <= 65536
      && maxDomains * (maptrackEntries + maxVCPUsPerDomain) < 1 << 28
      && reservedL4Slots.lowerBound >= 0 && reservedL4Slots.upperBound <= 512
  }

  /// Grant entries of a full table.
  public var maxGrantEntries: Int { maxGrantFrames * grantEntriesPerFrame }

  /// Whether entry `index` of a level-`level` table is one the guest does not control.
  @inline(__always) func isReserved(level: UInt64, index: Int) -> Bool {
    level == 4 && reservedL4Slots.contains(index)
  }
}
