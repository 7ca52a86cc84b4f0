// One memory-management operation as a value, with its Xen arguments: what a trace line holds.
// The differential tester, `bulkhead replay`, the bench and the fuzzer all build these and run
// them through `apply` (the core) or through the Spec's transition of the same name.

/// One memory-management hypercall (or guest grant-entry write) with its arguments.
public enum MMOperation: Equatable, Sendable {
  /// `HYPERVISOR_mmu_update`.
  case mmuUpdate(caller: VCPUID, requests: [MMURequest])
  /// `HYPERVISOR_mmuext_op`.
  case mmuextOp(caller: VCPUID, ops: [MMUExtCommand])
  /// `HYPERVISOR_update_va_mapping`.
  case updateVaMapping(caller: VCPUID, va: UInt64, val: UInt64, flags: UInt64)
  /// `XENMEM_populate_physmap`.
  case populatePhysmap(caller: VCPUID, count: Int)
  /// `XENMEM_decrease_reservation`.
  case decreaseReservation(caller: VCPUID, frames: [MFN])
  /// `GNTTABOP_setup_table`.
  case grantSetupTable(caller: VCPUID, frames: Int)
  /// The guest writing a grant entry.
  case grantAccess(caller: VCPUID, ref: GrantRef, grantee: DomID, frame: MFN, readOnly: Bool)
  /// The guest clearing a grant entry.
  case grantEnd(caller: VCPUID, ref: GrantRef)
  /// `GNTTABOP_map_grant_ref`.
  case grantMap(caller: VCPUID, granter: DomID, ref: GrantRef, readOnly: Bool)
  /// `GNTTABOP_unmap_grant_ref`.
  case grantUnmap(caller: VCPUID, handle: GrantHandle)
  /// `GNTTABOP_copy`.
  case grantCopy(caller: VCPUID, source: CopyPointer, dest: CopyPointer)
  /// `XEN_DOMCTL_createdomain`.
  case domainCreate(caller: VCPUID, domain: DomID, maxPages: Int, vcpus: Int)
  /// `XEN_DOMCTL_destroydomain`.
  case domainDestroy(caller: VCPUID, target: DomID)

  /// The operation's name: the Spec transition's and the trace's `op` field.
  public var name: StaticString {
    switch self {
    case .mmuUpdate: "mmuUpdate"
    case .mmuextOp: "mmuextOp"
    case .updateVaMapping: "updateVaMapping"
    case .populatePhysmap: "populatePhysmap"
    case .decreaseReservation: "decreaseReservation"
    case .grantSetupTable: "grantSetupTable"
    case .grantAccess: "grantAccess"
    case .grantEnd: "grantEnd"
    case .grantMap: "grantMap"
    case .grantUnmap: "grantUnmap"
    case .grantCopy: "grantCopy"
    case .domainCreate: "domainCreate"
    case .domainDestroy: "domainDestroy"
    }
  }
}

/// What an operation returned: the errno (nil on success), the count done (batches: requests
/// applied; single operations: 1 on success, 0 on refusal) and its value (populate: the frames;
/// setup_table: the capacity; map: the handle).
public struct MMOutcome: Equatable, Sendable {
  /// The refusal, nil on success.
  public var error: HypercallError?
  /// Requests done (batches), or 1/0.
  public var done: Int
  /// A scalar result: capacity (grantSetupTable), handle (grantMap), else 0.
  public var value: UInt64
  /// Frames given (populatePhysmap), else empty.
  public var frames: [MFN]

  public init(error: HypercallError?, done: Int, value: UInt64 = 0, frames: [MFN] = []) {
    self.error = error
    self.done = done
    self.value = value
    self.frames = frames
  }
}

extension MemoryManager {
  /// Runs `op` and reports its outcome.
  public mutating func apply(_ op: MMOperation) -> MMOutcome {
    func single(_ body: (inout Self) throws(HypercallError) -> Void) -> MMOutcome {
      do throws(HypercallError) {
        try body(&self)
        return MMOutcome(error: nil, done: 1)
      } catch {
        return MMOutcome(error: error, done: 0)
      }
    }
    switch op {
    case .mmuUpdate(let caller, let requests):
      let b = mmuUpdate(caller: caller, requests)
      return MMOutcome(error: b.error, done: b.done)
    case .mmuextOp(let caller, let ops):
      let b = mmuextOp(caller: caller, ops)
      return MMOutcome(error: b.error, done: b.done)
    case .updateVaMapping(let caller, let va, let val, let flags):
      return single { (m: inout Self) throws(HypercallError) in
        try m.updateVaMapping(caller: caller, va: va, val: val, flags: flags)
      }
    case .populatePhysmap(let caller, let count):
      do throws(HypercallError) {
        let f = try populatePhysmap(caller: caller, count: count)
        return MMOutcome(error: nil, done: 1, frames: f)
      } catch {
        return MMOutcome(error: error, done: 0)
      }
    case .decreaseReservation(let caller, let list):
      return single { (m: inout Self) throws(HypercallError) in
        try m.decreaseReservation(caller: caller, frames: list)
      }
    case .grantSetupTable(let caller, let n):
      do throws(HypercallError) {
        let c = try grantSetupTable(caller: caller, frames: n)
        return MMOutcome(error: nil, done: 1, value: UInt64(c))
      } catch {
        return MMOutcome(error: error, done: 0)
      }
    case .grantAccess(let caller, let ref, let grantee, let frame, let ro):
      return single { (m: inout Self) throws(HypercallError) in
        try m.grantAccess(caller: caller, ref: ref, grantee: grantee, frame: frame, readOnly: ro)
      }
    case .grantEnd(let caller, let ref):
      return single { (m: inout Self) throws(HypercallError) in try m.grantEnd(caller: caller, ref: ref) }
    case .grantMap(let caller, let granter, let ref, let ro):
      do throws(HypercallError) {
        let h = try grantMap(caller: caller, granter: granter, ref: ref, readOnly: ro)
        return MMOutcome(error: nil, done: 1, value: UInt64(h.raw))
      } catch {
        return MMOutcome(error: error, done: 0)
      }
    case .grantUnmap(let caller, let handle):
      return single { (m: inout Self) throws(HypercallError) in try m.grantUnmap(caller: caller, handle: handle) }
    case .grantCopy(let caller, let source, let dest):
      return single { (m: inout Self) throws(HypercallError) in
        try m.grantCopy(caller: caller, source: source, dest: dest)
      }
    case .domainCreate(let caller, let domain, let maxPages, let vcpus):
      return single { (m: inout Self) throws(HypercallError) in
        try m.domainCreate(caller: caller, domain: domain, maxPages: maxPages, vcpus: vcpus)
      }
    case .domainDestroy(let caller, let target):
      return single { (m: inout Self) throws(HypercallError) in
        try m.domainDestroy(caller: caller, target: target)
      }
    }
  }
}
