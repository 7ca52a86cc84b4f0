// A domain as the memory manager sees it: its reservation, its vCPUs' CR3s, its grant table,
// the grant mappings it holds (maptrack) and the foreign frames its L1 tables reference.
//
// All arrays are sized in `domainCreate` and never grow, so nothing here allocates on the
// mmu_update path.

/// The M2P / CR3 value meaning "none".
public let noFrame: UInt64 = 0xFFFF_FFFF_FFFF_FFFF

/// One grant entry written by the granter (Xen `grant_entry_v1` with `GTF_permit_access`).
public struct GrantEntryRecord: Equatable, Sendable {
  /// Whether the entry is in use.
  public var inUse: Bool = false
  /// `GTF_readonly`.
  public var readOnly: Bool = false
  /// The domain allowed to use it.
  public var grantee: DomID = DomID(0)
  /// The granted frame (owned by the granter).
  public var frame: MFN = MFN(0)
  /// Live grant mappings of this entry.
  public var mapCount: Int = 0
}

/// One grant mapping held by the grantee (Xen maptrack entry); the handle is its index.
public struct MaptrackRecord: Equatable, Sendable {
  /// Whether the handle is in use.
  public var inUse: Bool = false
  /// Whether the mapping is read-only.
  public var readOnly: Bool = false
  /// The granting domain.
  public var granter: DomID = DomID(0)
  /// The entry in the granter's table.
  public var ref: GrantRef = GrantRef(0)
  /// The mapped frame.
  public var frame: MFN = MFN(0)
}

/// How many entries of a domain's validated L1 tables point at one foreign (granted) frame.
/// This is what `grantUnmap` needs to refuse removing a mapping still in use, in time bounded
/// by the maptrack size instead of by a walk over every L1 table.
struct ForeignRefRecord: Equatable, Sendable {
  var frame: UInt64 = noFrame
  var all: UInt32 = 0
  var writable: UInt32 = 0
}

/// One live domain.
public struct DomainRecord: Sendable {
  /// Its id.
  public var id: DomID
  /// Control domain (may create and destroy domains).
  public var privileged: Bool
  /// Most frames it may own (Xen `max_pages`).
  public var maxPages: Int
  /// Frames it owns now (Xen `tot_pages`).
  public var allocation: Int = 0
  /// CR3 of each vCPU (`noFrame` before `new_baseptr`); the count is the vCPU count.
  public var cr3: [UInt64]
  /// Grant-table frames set up (capacity = grantFrames * entries per frame).
  public var grantFrames: Int = 0
  /// Its grant table, preallocated at the maximum size.
  public var grants: [GrantEntryRecord]
  /// Mappings of its grants held by other domains (sum of `mapCount`).
  public var grantsMappedByOthers: Int = 0
  /// Grant mappings it holds, indexed by handle.
  public var maptrack: [MaptrackRecord]
  /// One past the highest handle in use (scans stop here).
  public internal(set) var maptrackHigh: Int = 0
  /// Foreign frames its validated L1 tables reference.
  var foreign: [ForeignRefRecord]
  /// Frames of this domain the hypervisor holds a general reference on (shared_info).
  public internal(set) var hypervisorRefs: [UInt64] = []
  /// One past the highest foreign slot in use.
  var foreignHigh: Int = 0

  /// Number of vCPUs.
  public var vcpuCount: Int { cr3.count }

  init(id: DomID, privileged: Bool, maxPages: Int, vcpus: Int, config: MMConfig) {
    self.id = id
    self.privileged = privileged
    self.maxPages = maxPages
    cr3 = [UInt64](repeating: noFrame, count: vcpus)
    grants = [GrantEntryRecord](repeating: GrantEntryRecord(), count: config.maxGrantEntries)
    maptrack = [MaptrackRecord](repeating: MaptrackRecord(), count: config.maptrackEntries)
    foreign = [ForeignRefRecord](repeating: ForeignRefRecord(), count: config.maptrackEntries)
  }

  /// Whether it holds a grant mapping of `frame` (any access), and a writable one.
  func grantAccess(to frame: UInt64) -> (read: Bool, write: Bool) {
    var read = false
    var write = false
    var h = 0
    while h < maptrackHigh {
      let m = maptrack[h]
      if m.inUse && m.frame.raw == frame {
        read = true
        if !m.readOnly { write = true }
      }
      h += 1
    }
    return (read, write)
  }

  /// The L1 references to foreign `frame` (all, writable).
  func foreignUses(of frame: UInt64) -> (all: UInt32, writable: UInt32) {
    var i = 0
    while i < foreignHigh {
      if foreign[i].frame == frame { return (foreign[i].all, foreign[i].writable) }
      i += 1
    }
    return (0, 0)
  }

  /// Counts one more L1 reference to foreign `frame`. A slot always exists: a foreign frame is
  /// referenced only while a maptrack entry maps it, so distinct frames <= maptrack entries.
  mutating func addForeignUse(_ frame: UInt64, writable: Bool) {
    var free = -1
    var i = 0
    while i < foreignHigh {
      if foreign[i].frame == frame {
        foreign[i].all += 1
        if writable { foreign[i].writable += 1 }
        return
      }
      if free < 0 && foreign[i].all == 0 { free = i }
      i += 1
    }
    if free < 0 {
      precondition(foreignHigh < foreign.count, "isolation: foreign L1 reference without a grant mapping")
      free = foreignHigh
      foreignHigh += 1
    }
    foreign[free] = ForeignRefRecord(frame: frame, all: 1, writable: writable ? 1 : 0)
  }

  /// Drops one L1 reference to foreign `frame`.
  mutating func removeForeignUse(_ frame: UInt64, writable: Bool) {
    var i = 0
    while i < foreignHigh {
      if foreign[i].frame == frame {
        foreign[i].all -= 1
        if writable { foreign[i].writable -= 1 }
        if foreign[i].all == 0 {
          foreign[i] = ForeignRefRecord()
          while foreignHigh > 0 && foreign[foreignHigh - 1].all == 0 { foreignHigh -= 1 }
        }
        return
      }
      i += 1
    }
  }
}
