// What the MMU would do: walk a page-table tree from a root, with hardware semantics.
//
// The walk ignores the model's bookkeeping (types, counts) on purpose: invariants compare what
// the hardware would let a guest reach with what the bookkeeping claims. A linear entry (an L4
// entry pointing to an L4) needs no special case: the walk just reads that L4 as an L3.

/// One translation the MMU could perform from some root.
public struct Leaf: Hashable, Sendable {
  /// The frame the translation ends in (for a superpage: its first frame).
  public var frame: MFN
  /// Whether every entry on the path had R/W set (the mapping is writable).
  public var writable: Bool
  /// The level of the entry that mapped it: 1 for a 4 KiB page, 2 or 3 for a superpage.
  public var level: Level
  /// The virtual address it translates.
  public var va: UInt64
}

extension SpecState {
  /// Every translation reachable from `root`, plus every frame the walk read as a table.
  public func walk(root: MFN) -> (leaves: [Leaf], tables: Set<MFN>) {
    var leaves: [Leaf] = []
    var tables: Set<MFN> = []
    func visit(_ table: MFN, _ level: Level, _ writable: Bool, _ va: UInt64) {
      tables.insert(table)
      for (i, e) in (contents[table] ?? [:]).sorted(by: { $0.key < $1.key }) where PTE.isPresent(e) {
        let w = writable && PTE.isWritable(e)
        var here = va | (UInt64(i) << (12 + 9 * UInt64(level.rawValue - 1)))
        if level == .l4 && i >= 256 { here |= 0xFFFF_0000_0000_0000 }
        let superpage = (level == .l2 || level == .l3) && e & PTE.pageSize != 0
        if level == .l1 || superpage {
          leaves.append(Leaf(frame: PTE.frame(e), writable: w, level: level, va: here))
        } else if exists(PTE.frame(e)) {
          visit(PTE.frame(e), level.lower!, w, here)
        }
      }
    }
    visit(root, .l4, true, 0)
    return (leaves, tables)
  }

  /// The roots the hardware may use for domain `d`: its vCPUs' CR3s and its pinned L4s.
  public func roots(of d: DomID) -> [MFN] {
    var r = Set(vcpus(of: d).compactMap { vcpus[$0]!.cr3 })
    for (mfn, f) in frames where f.owner == .domain(d) && f.pinned && f.type == .l4 {
      r.insert(mfn)
    }
    return r.sorted()
  }
}
