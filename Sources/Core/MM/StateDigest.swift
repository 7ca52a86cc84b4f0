// A 64-bit digest of the memory state (FNV-1a over a canonical projection), printed by
// `bulkhead replay` so two runs of a trace can be compared at a glance.

extension MemoryManager {
  /// FNV-1a over: each frame's owner, type, counts, pinned/validated, M2P entry and non-zero
  /// words; each live domain's reservation, CR3s and grant state; every used domain id.
  public func digest() -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func mix(_ v: UInt64) {
      var x = v
      for _ in 0..<8 {
        h = (h ^ (x & 0xFF)) &* 0x100_0000_01B3
        x >>= 8
      }
    }
    for i in 0..<config.frameCount {
      let f = frames[record: i]
      mix(UInt64(f.ownerKind.rawValue) << 48 | UInt64(f.owner) << 32 | f.type << 8
        | (f.pinned ? 2 : 0) | (f.validated ? 1 : 0))
      mix(UInt64(f.refCount) << 32 | UInt64(f.typeCount))
      mix(f.hasM2P ? frames[m2p: i] : noFrame)
      for j in 0..<XenABI.entriesPerTable {
        let e = memory.readEntry(frame: MFN(UInt64(i)), index: j)
        if e != 0 { mix(UInt64(j)); mix(e) }
      }
    }
    for dom in liveDomains {
      mix(UInt64(dom.id.raw)); mix(UInt64(bitPattern: Int64(dom.maxPages))); mix(UInt64(dom.allocation))
      for c in dom.cr3 { mix(c) }
      mix(UInt64(dom.grantFrames))
      for (r, e) in dom.grants.enumerated() where e.inUse {
        mix(UInt64(r)); mix(UInt64(e.grantee.raw)); mix(e.frame.raw); mix(e.readOnly ? 1 : 0); mix(UInt64(e.mapCount))
      }
      for (k, m) in dom.maptrack.enumerated() where m.inUse {
        mix(UInt64(k)); mix(UInt64(m.granter.raw)); mix(UInt64(m.ref.raw)); mix(m.frame.raw); mix(m.readOnly ? 1 : 0)
      }
    }
    for w in usedIDs { mix(w) }
    return h
  }
}
