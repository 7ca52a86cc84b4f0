// The bridge between the core's memory manager and the Spec: runs an `MMOperation` through the
// Spec transition of the same name, and compares the two states field by field.
//
// Shared by `bulkhead replay --against-spec`, `bulkhead bench mm` and the differential tests
// (Tests/CoreTests/DifferentialSpecBridge.swift is a symbolic link to this file: CoreTests
// cannot depend on the executable target, and Package.swift is not ours to change).
import BulkheadCore
import BulkheadSpec

/// Conversions between the core's and the Spec's vocabularies, the Spec runner and the state
/// comparison.
enum MMBridge {
  /// The Spec configuration with the same sizes.
  static func specConfig(_ c: MMConfig) -> SpecConfig {
    var s = SpecConfig()
    s.frameCount = c.frameCount
    s.hypervisorFrames = c.hypervisorFrames
    s.dom0MaxPages = c.dom0MaxPages
    s.dom0VCPUs = c.dom0VCPUs
    s.maxVCPUsPerDomain = c.maxVCPUsPerDomain
    s.maxGrantFrames = c.maxGrantFrames
    s.grantEntriesPerFrame = c.grantEntriesPerFrame
    return s
  }

  static func dom(_ d: BulkheadCore.DomID) -> BulkheadSpec.DomID { BulkheadSpec.DomID(d.raw) }
  static func vcpu(_ v: BulkheadCore.VCPUID) -> BulkheadSpec.VCPUID { BulkheadSpec.VCPUID(dom(v.domain), v.index) }
  static func mfn(_ m: BulkheadCore.MFN) -> BulkheadSpec.MFN { BulkheadSpec.MFN(m.raw) }
  static func copy(_ p: BulkheadCore.CopyPointer) -> BulkheadSpec.CopyPointer {
    switch p {
    case .local(let m): .local(mfn(m))
    case .granted(let g, let r): .granted(granter: dom(g), ref: BulkheadSpec.GrantRef(r.raw))
    }
  }
  static func error(_ e: XenErrno?) -> HypercallError? {
    e.map { HypercallError(rawValue: $0.rawValue) ?? .ENOSYS }
  }

  /// The Spec's MMUEXT command, or nil for one the Spec cannot express (unknown command or
  /// level outside 1...4).
  static func extOp(_ c: MMUExtCommand) -> MMUExtOp? {
    switch c {
    case .pinTable(let level, let m): Level(rawValue: level).map { .pinTable($0, mfn(m)) }
    case .unpinTable(let m): .unpinTable(mfn(m))
    case .newBaseptr(let m): .newBaseptr(mfn(m))
    case .tlbFlushLocal: .tlbFlushLocal
    case .invlpgLocal(let va): .invlpgLocal(va: va)
    case .unsupported: nil
    }
  }

  /// Runs `op` through the Spec: its outcome (in the core's vocabulary) and the next state.
  static func apply(_ op: MMOperation, to s: SpecState) -> (MMOutcome, SpecState) {
    func single<R>(_ t: Transition<R>, value: (R) -> UInt64 = { _ in 0 }) -> (MMOutcome, SpecState) {
      switch t.result {
      case .success(let r): (MMOutcome(error: nil, done: 1, value: value(r)), t.state)
      case .failure(let e): (MMOutcome(error: error(e), done: 0), t.state)
      }
    }
    switch op {
    case .mmuUpdate(let c, let reqs):
      let b = s.mmuUpdate(caller: vcpu(c), reqs.map { MMUUpdate(ptr: $0.ptr, val: $0.val) })
      return (MMOutcome(error: error(b.error), done: b.done), b.state)
    case .mmuextOp(let c, let ops):
      // A command the Spec cannot express ends the batch as the core does (ENOSYS), after the
      // commands before it.
      var specOps: [MMUExtOp] = []
      var cut: Int? = nil
      for (i, o) in ops.enumerated() {
        guard let so = extOp(o) else { cut = i; break }
        specOps.append(so)
      }
      let b = s.mmuextOp(caller: vcpu(c), specOps)
      if let cut, b.error == nil {
        let alive = s.liveDomain(dom(c.domain)) != nil && s.vcpus[vcpu(c)] != nil
        let e: HypercallError = alive ? (ops[cut].isPinWithBadLevel ? .EINVAL : .ENOSYS) : .ESRCH
        return (MMOutcome(error: e, done: cut), b.state)
      }
      return (MMOutcome(error: error(b.error), done: b.done), b.state)
    case .updateVaMapping(let c, let va, let val, let flags):
      return single(s.updateVaMapping(caller: vcpu(c), va: va, val: val, flags: flags))
    case .populatePhysmap(let c, let n):
      let t = s.populatePhysmap(caller: vcpu(c), count: n)
      switch t.result {
      case .success(let f): return (MMOutcome(error: nil, done: 1, frames: f.map { BulkheadCore.MFN($0.raw) }), t.state)
      case .failure(let e): return (MMOutcome(error: error(e), done: 0), t.state)
      }
    case .decreaseReservation(let c, let list):
      return single(s.decreaseReservation(caller: vcpu(c), frames: list.map(mfn)))
    case .grantSetupTable(let c, let n):
      return single(s.grantSetupTable(caller: vcpu(c), frames: n)) { UInt64($0) }
    case .grantAccess(let c, let ref, let grantee, let frame, let ro):
      return single(
        s.grantAccess(
          caller: vcpu(c), ref: BulkheadSpec.GrantRef(ref.raw), grantee: dom(grantee), frame: mfn(frame),
          readOnly: ro))
    case .grantEnd(let c, let ref):
      return single(s.grantEnd(caller: vcpu(c), ref: BulkheadSpec.GrantRef(ref.raw)))
    case .grantMap(let c, let granter, let ref, let ro):
      return single(
        s.grantMap(caller: vcpu(c), granter: dom(granter), ref: BulkheadSpec.GrantRef(ref.raw), readOnly: ro)
      ) { UInt64($0.raw) }
    case .grantUnmap(let c, let h):
      return single(s.grantUnmap(caller: vcpu(c), handle: BulkheadSpec.GrantHandle(h.raw)))
    case .grantCopy(let c, let src, let dst):
      return single(s.grantCopy(caller: vcpu(c), source: copy(src), dest: copy(dst)))
    case .domainCreate(let c, let d, let maxPages, let vcpus):
      return single(s.domainCreate(caller: vcpu(c), domain: dom(d), maxPages: maxPages, vcpus: vcpus))
    case .domainDestroy(let c, let d):
      return single(s.domainDestroy(caller: vcpu(c), target: dom(d)))
    }
  }

  /// The Spec's page type in `DecisionPageType` encoding.
  static func typeCode(_ t: PageType) -> UInt64 {
    switch t {
    case .none: DecisionPageType.none
    case .l1: DecisionPageType.l1
    case .l2: DecisionPageType.l2
    case .l3: DecisionPageType.l3
    case .l4: DecisionPageType.l4
    case .writable: DecisionPageType.writable
    case .segdesc: DecisionPageType.segdesc
    case .shared: DecisionPageType.shared
    }
  }

  /// The first field where the core's state differs from the Spec's projection, or nil.
  static func divergence(core mm: HostMemoryManager, spec s: SpecState) -> String? {
    for i in 0..<mm.config.frameCount {
      let m = BulkheadCore.MFN(UInt64(i))
      guard let c = mm.frameRecord(m) else { return "frame \(i) missing in core" }
      let f = s.frame(BulkheadSpec.MFN(UInt64(i)))
      let owner: String =
        switch f.owner {
        case .free: "free"
        case .hypervisor: "hypervisor"
        case .domain(let d): "d\(d.raw)"
        }
      let coreOwner: String =
        switch c.ownerKind {
        case .free: "free"
        case .hypervisor: "hypervisor"
        case .domain: "d\(c.owner)"
        }
      if owner != coreOwner { return "mfn\(i).owner: spec \(owner), core \(coreOwner)" }
      if typeCode(f.type) != c.type { return "mfn\(i).type: spec \(f.type), core \(c.type)" }
      if f.typeCount != Int(c.typeCount) { return "mfn\(i).typeCount: spec \(f.typeCount), core \(c.typeCount)" }
      if f.refCount != Int(c.refCount) { return "mfn\(i).refCount: spec \(f.refCount), core \(c.refCount)" }
      if f.pinned != c.pinned { return "mfn\(i).pinned: spec \(f.pinned), core \(c.pinned)" }
      if f.validated != c.validated { return "mfn\(i).validated: spec \(f.validated), core \(c.validated)" }
      let sm = s.m2p[BulkheadSpec.MFN(UInt64(i))]
      if sm != mm.m2p(m) { return "mfn\(i).m2p: spec \(String(describing: sm)), core \(String(describing: mm.m2p(m)))" }
      let page = s.contents[BulkheadSpec.MFN(UInt64(i))] ?? [:]
      if page.isEmpty && mm.memory.isUntouched(m) { continue }
      for j in 0..<512 where (page[j] ?? 0) != mm.readEntry(m, j) {
        return "mfn\(i)[\(j)]: spec \(hex(page[j] ?? 0)), core \(hex(mm.readEntry(m, j)))"
      }
    }
    for (id, d) in s.domains.sorted(by: { $0.key < $1.key }) {
      let cid = BulkheadCore.DomID(id.raw)
      guard d.isAlive else {
        if mm.domain(cid) != nil || !mm.wasUsed(cid) { return "\(id): spec dead, core \(mm.domain(cid) == nil ? "unused" : "alive")" }
        continue
      }
      guard let c = mm.domain(cid) else { return "\(id): spec alive, core not" }
      if c.maxPages != d.maxPages { return "\(id).maxPages: spec \(d.maxPages), core \(c.maxPages)" }
      if c.allocation != d.allocation { return "\(id).allocation: spec \(d.allocation), core \(c.allocation)" }
      if c.privileged != d.privileged { return "\(id).privileged: spec \(d.privileged), core \(c.privileged)" }
      if c.vcpuCount != d.vcpuCount { return "\(id).vcpuCount: spec \(d.vcpuCount), core \(c.vcpuCount)" }
      for v in 0..<d.vcpuCount {
        let sc = s.vcpus[BulkheadSpec.VCPUID(id, v)]?.cr3?.raw ?? noFrame
        if sc != c.cr3[v] { return "\(id)v\(v).cr3: spec \(hex(sc)), core \(hex(c.cr3[v]))" }
      }
      let gtFrames = s.grantTables[id]?.frames ?? 0
      let gtEntries = s.grantTables[id]?.entries ?? [:]
      if gtFrames != c.grantFrames { return "\(id).grantFrames: spec \(gtFrames), core \(c.grantFrames)" }
      for (r, e) in c.grants.enumerated() {
        let se = gtEntries[BulkheadSpec.GrantRef(UInt32(r))]
        if se == nil && !e.inUse { continue }
        guard let se, e.inUse, se.grantee.raw == e.grantee.raw, se.frame.raw == e.frame.raw,
          se.readOnly == e.readOnly, se.mapCount == e.mapCount
        else { return "\(id).grant[\(r)]: spec \(String(describing: se)), core \(e)" }
      }
      if let bad = gtEntries.keys.first(where: { Int($0.raw) >= c.grants.count }) { return "\(id).grant[\(bad.raw)] beyond core table" }
      let maps = s.grantMappings[id] ?? [:]
      for (h, m) in c.maptrack.enumerated() {
        let sm = maps[BulkheadSpec.GrantHandle(UInt32(h))]
        if sm == nil && !m.inUse { continue }
        guard let sm, m.inUse, sm.granter.raw == m.granter.raw, sm.ref.raw == m.ref.raw,
          sm.frame.raw == m.frame.raw, sm.readOnly == m.readOnly
        else { return "\(id).handle[\(h)]: spec \(String(describing: sm)), core \(m)" }
      }
      if let bad = maps.keys.first(where: { Int($0.raw) >= c.maptrack.count }) { return "\(id).handle[\(bad.raw)] beyond core maptrack" }
    }
    for c in mm.liveDomains where s.liveDomain(dom(c.id)) == nil { return "d\(c.id.raw): core alive, spec not" }
    return nil
  }

  /// The names of the Spec invariants about memory (the ones the core also checks).
  static let memoryInvariantNames: Set<String> = [
    "frameOwnership", "referenceCounts", "typeSafety", "isolation", "grantConsistency", "domainConsistency",
  ]

  /// The Spec's memory invariants that fail on `s`.
  static func specViolations(_ s: SpecState) -> [String] {
    allInvariants.filter { memoryInvariantNames.contains($0.name) }.flatMap { $0.check(s) }.map(\.description)
  }

  /// The core's invariants that fail, as text.
  static func coreViolations(_ mm: HostMemoryManager) -> [String] {
    mm.checkInvariants().map { "\($0.invariant): \($0.what) (\($0.subject))" }
  }

  static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}

extension MMUExtCommand {
  /// A pin whose level the Spec cannot express.
  var isPinWithBadLevel: Bool {
    if case .pinTable(let l, _) = self { return l < 1 || l > 4 }
    return false
  }
}
