/// Self-checks for the memory manager: a small machine built through hypercalls, the attacks
/// that matter most, and the invariants after each step.
extension SelfCheck {
  /// A 64-frame host machine with dom0 owning `count` frames, or nil if populating failed.
  static func smallMachine(count: Int = 8) -> (HostMemoryManager, [MFN])? {
    var c = MMConfig()
    c.dom0MaxPages = 32
    var mm = HostMemoryManager(config: c)
    guard let f = try? mm.populatePhysmap(caller: VCPUID(.dom0, 0), count: count) else { return nil }
    return (mm, f)
  }

  /// Builds l4[0] -> l3[0] -> l2[0] -> l1[0] -> data (R/W) in f[0...4] and pins the L4.
  static func buildTree(_ mm: inout HostMemoryManager, _ f: [MFN]) -> Bool {
    let v = VCPUID(.dom0, 0)
    let rw: UInt64 = 0b111
    let b = mm.mmuUpdate(caller: v, [
      .normal(f[0], 0, f[1].raw << 12 | rw), .normal(f[1], 0, f[2].raw << 12 | rw),
      .normal(f[2], 0, f[3].raw << 12 | rw), .normal(f[3], 0, f[4].raw << 12 | rw),
    ])
    let p = mm.mmuextOp(caller: v, [.pinTable(level: 4, f[0]), .newBaseptr(f[0])])
    return b.error == nil && p.error == nil
  }

  static var mmCases: [Case] {
    [
      Case("mm: pinning an L4 validates the tree") {
        guard case (var mm, let f)? = smallMachine(), buildTree(&mm, f) else { return false }
        let l1 = mm.frameRecord(f[3])
        let data = mm.frameRecord(f[4])
        return l1?.type == DecisionPageType.l1 && l1?.typeCount == 1
          && data?.type == DecisionPageType.writable && mm.checkInvariants().isEmpty
      },
      Case("mm: writable superpage refused (XSA-148)") {
        guard case (var mm, let f)? = smallMachine(), buildTree(&mm, f) else { return false }
        do throws(HypercallError) {
          try mm.mmuUpdateOne(caller: VCPUID(.dom0, 0), .normal(f[2], 1, f[5].raw << 12 | 0x83))
          return false
        } catch { return error == .EINVAL && mm.checkInvariants().isEmpty }
      },
      Case("mm: writable mapping of own L1 refused") {
        guard case (var mm, let f)? = smallMachine(), buildTree(&mm, f) else { return false }
        do throws(HypercallError) {
          try mm.mmuUpdateOne(caller: VCPUID(.dom0, 0), .normal(f[3], 1, f[3].raw << 12 | 0x7))
          return false
        } catch { return error == .EINVAL }
      },
      Case("mm: hypervisor frame refused") {
        guard case (var mm, let f)? = smallMachine(), buildTree(&mm, f) else { return false }
        do throws(HypercallError) {
          try mm.mmuUpdateOne(caller: VCPUID(.dom0, 0), .normal(f[3], 1, 1 << 12 | 0x5))
          return false
        } catch { return error == .EPERM }
      },
      Case("mm: failed validation leaves no trace") {
        guard case (var mm, let f)? = smallMachine() else { return false }
        let v = VCPUID(.dom0, 0)
        // L2 f[0]: entry 0 -> L1 f[1] (fine), entry 1 -> superpage (refused).
        _ = mm.mmuUpdate(caller: v, [.normal(f[0], 0, f[1].raw << 12 | 0x7), .normal(f[0], 1, f[2].raw << 12 | 0x87)])
        let before = mm.frameRecord(f[1])
        let r = mm.mmuextOp(caller: v, [.pinTable(level: 2, f[0])])
        return r.error == .EINVAL && mm.frameRecord(f[1]) == before && mm.frameRecord(f[0]) == before
          && mm.checkInvariants().isEmpty
      },
      Case("mm: unpin and CR3 switch release the tree exactly") {
        guard case (var mm, let f)? = smallMachine(), buildTree(&mm, f) else { return false }
        let v = VCPUID(.dom0, 0)
        let r = mm.mmuextOp(caller: v, [.unpinTable(f[0]), .pinTable(level: 4, f[5]), .newBaseptr(f[5])])
        var clean = true
        for i in 0..<5 where mm.frameRecord(f[i])?.typeCount != 0 || mm.frameRecord(f[i])?.refCount != 0 { clean = false }
        return r.error == nil && clean && mm.checkInvariants().isEmpty
      },
      Case("mm: decrease reservation of a pinned table refused, of data accepted and scrubbed") {
        guard case (var mm, let f)? = smallMachine(), buildTree(&mm, f) else { return false }
        let v = VCPUID(.dom0, 0)
        let busy = (try? mm.decreaseReservation(caller: v, frames: [f[0]])) == nil
        _ = mm.mmuUpdate(caller: v, [.normal(f[6], 3, 0x41)])
        let ok = (try? mm.decreaseReservation(caller: v, frames: [f[6]])) != nil
        return busy && ok && mm.readEntry(f[6], 3) == 0 && mm.checkInvariants().isEmpty
      },
    ]
  }
}
