// Unit tests of the memory manager: scale, the deep release cascade, rollback, and the
// kernel hooks. The self-check cases (Sources/Core/SelfCheck/MMChecks.swift) run here too.
import BulkheadCore
import Testing

@Suite("MM: memory manager")
struct MMTests {
  let v0 = VCPUID(.dom0, 0)

  @Test("self-check cases pass on the host")
  func selfChecks() {
    let r = SelfCheck.run()
    #expect(r.allPassed, "failed: \(r.failures.map { "\($0)" })")
  }

  @Test("a 4M-frame (16 GiB) table: O(1) updates on a validated tree")
  func fourMillionFrames() throws {
    var c = MMConfig()
    c.frameCount = 4 << 20
    c.hypervisorFrames = 256
    c.dom0MaxPages = 1 << 20
    var mm = HostMemoryManager(config: c)
    let f = try mm.populatePhysmap(caller: v0, count: 16)
    #expect(f.first?.raw == 256)
    // A tree at the top of memory too: frames far apart in the table.
    let rw: UInt64 = 0x7
    let b = mm.mmuUpdate(caller: v0, [
      .normal(f[0], 0, f[1].raw << 12 | rw), .normal(f[1], 0, f[2].raw << 12 | rw),
      .normal(f[2], 0, f[3].raw << 12 | rw),
    ])
    #expect(b.error == nil)
    #expect(mm.mmuextOp(caller: v0, [.pinTable(level: 4, f[0]), .newBaseptr(f[0])]).error == nil)
    for i in 0..<512 {
      try mm.mmuUpdateOne(caller: v0, .normal(f[3], i, f[4 + i % 12].raw << 12 | (i % 3 == 0 ? 0x5 : 0x7)))
    }
    #expect(mm.frameRecord(f[4])?.refCount == 43)
    try mm.updateVaMapping(caller: v0, va: 0x5000, val: 0)
    #expect(mm.frameRecord(MFN(UInt64(c.frameCount - 1)))?.ownerKind == .free)
    #expect(MemoryLayout<FrameRecord>.stride == 16)
  }

  @Test("a long chain of linear L4 entries is released without recursion")
  func linearChainRelease() throws {
    var c = MMConfig()
    c.frameCount = 4096 + 16
    c.dom0MaxPages = 4096
    var mm = HostMemoryManager(config: c)
    let f = try mm.populatePhysmap(caller: v0, count: 4000)
    // Pin every L4, link f[i] -> f[i+1] read-only (linear), then unpin all: f[0]'s release
    // cascades through the whole chain once its pin goes.
    for m in f { try mm.mmuextOpOne(caller: v0, .pinTable(level: 4, m)) }
    for i in 0..<(f.count - 1) { try mm.mmuUpdateOne(caller: v0, .normal(f[i], 0, f[i + 1].raw << 12 | 0x5)) }
    for m in f.dropFirst().reversed() { try mm.mmuextOpOne(caller: v0, .unpinTable(m)) }
    #expect(mm.frameRecord(f[3999])?.typeCount == 1)
    try mm.mmuextOpOne(caller: v0, .unpinTable(f[0]))  // 4000 tables released, iteratively
    #expect(f.allSatisfy { mm.frameRecord($0)?.typeCount == 0 && mm.frameRecord($0)?.refCount == 0 })
    #expect(mm.checkInvariants().isEmpty)
  }

  @Test("reserved L4 slots: refused for the guest, skipped by validation")
  func reservedSlots() throws {
    var c = MMConfig()
    c.reservedL4Slots = 255..<272
    var mm = HostMemoryManager(config: c)
    let f = try mm.populatePhysmap(caller: v0, count: 4)
    mm.memory.writeEntry(frame: f[0], index: 256, value: 1 << 12 | 0x3)  // the kernel's entry
    try mm.mmuextOpOne(caller: v0, .pinTable(level: 4, f[0]))
    #expect(refusal { () throws(HypercallError) in try mm.mmuUpdateOne(caller: v0, .normal(f[0], 260, f[1].raw << 12 | 0x5)) } == .EINVAL)
    try mm.mmuextOpOne(caller: v0, .unpinTable(f[0]))
    #expect(mm.checkInvariants().isEmpty)
  }

  @Test("hypervisor references keep a frame from being given back")
  func hypervisorRefs() throws {
    var mm = HostMemoryManager(config: MMConfig())
    let f = try mm.populatePhysmap(caller: v0, count: 2)
    let marked = mm.markHypervisor(MFN(63))
    #expect(marked)
    try mm.hypervisorGetPage(f[1], for: .dom0)
    #expect(refusal { () throws(HypercallError) in try mm.decreaseReservation(caller: v0, frames: [f[1]]) } == .EBUSY)
    #expect(mm.checkInvariants().isEmpty)
    mm.hypervisorPutPage(f[1], for: .dom0)
    try mm.decreaseReservation(caller: v0, frames: [f[1]])
    #expect(mm.root(of: v0) == nil)
  }

  @Test("a page shared with the hypervisor never becomes a page table (it writes into it)")
  func sharedPagesAreNeverTables() throws {
    var mm = HostMemoryManager(config: MMConfig())
    let f = try mm.populatePhysmap(caller: v0, count: 3)
    try mm.hypervisorGetPage(f[0], for: .dom0)
    #expect(refusal { () throws(HypercallError) in try mm.mmuextOpOne(caller: v0, .pinTable(level: 1, f[0])) } == .EINVAL)
    #expect(refusal { () throws(HypercallError) in try mm.mmuextOpOne(caller: v0, .pinTable(level: 4, f[0])) } == .EINVAL)
    // Mapping it writable, as a guest maps shared_info, is fine.
    try mm.mmuextOpOne(caller: v0, .pinTable(level: 1, f[1]))
    try mm.mmuUpdateOne(caller: v0, .normal(f[1], 0, f[0].address.raw | 0x7))
    #expect(mm.checkInvariants().isEmpty)
    // A frame that is already a table cannot be shared.
    #expect(refusal { () throws(HypercallError) in try mm.hypervisorGetPage(f[1], for: .dom0) } == .EBUSY)
    mm.hypervisorPutPage(f[0], for: .dom0)
    #expect(mm.checkInvariants().isEmpty)
  }

  @Test("a refused batch request has no effect and reports the count done")
  func batchPartial() throws {
    var mm = HostMemoryManager(config: MMConfig())
    let f = try mm.populatePhysmap(caller: v0, count: 3)
    let before = mm.digest()
    let r = mm.mmuUpdate(caller: v0, [.normal(f[0], 0, 0x41), .normal(MFN(1), 0, 0), .normal(f[1], 0, 0x42)])
    #expect(r == BatchResult(done: 1, error: .EPERM))
    #expect(mm.readEntry(f[0], 0) == 0x41 && mm.readEntry(f[1], 0) == 0 && mm.digest() != before)
  }
}

/// The error `body` throws, nil if it succeeds.
func refusal(_ body: () throws(HypercallError) -> Void) -> HypercallError? {
  do throws(HypercallError) {
    try body()
    return nil
  } catch { return error }
}
