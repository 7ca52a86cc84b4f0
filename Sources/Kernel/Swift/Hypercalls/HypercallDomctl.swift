/// domctl: the control domain's operations on other domains. Only the scheduler parameters
/// (XEN_DOMCTL_scheduler_op, credit scheduler, putinfo/getinfo) are implemented; the rest of
/// Xen's toolstack interface returns -ENOSYS.
///
/// struct xen_domctl: cmd u32 @0, interface_version u32 @4, domain u16 @8, union @16;
/// scheduler_op: sched_id u32 @16, cmd u32 @20, credit { weight u16 @24, cap u16 @26 }.
enum DomctlOps {
  static let interfaceVersion: UInt32 = 0x15   // XEN_DOMCTL_INTERFACE_VERSION (Xen 4.17)
  static let schedulerOp: UInt32 = 16
  static let schedulerCredit: UInt32 = 5
  static let putinfo: UInt32 = 0
  static let getinfo: UInt32 = 1

  static func domctl(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    guard let cmd = GuestCopy.readU32(v, a.a1), let version = GuestCopy.readU32(v, a.a1 + 4),
      let domid = GuestCopy.readU16(v, a.a1 + 8)
    else { return Hypercalls.fail(.EFAULT) }
    guard version == interfaceVersion else { return -13 }   // -EACCES, as Xen
    guard cmd == schedulerOp else { return Hypercalls.fail(.ENOSYS) }
    guard let schedID = GuestCopy.readU32(v, a.a1 + 16), let op = GuestCopy.readU32(v, a.a1 + 20) else {
      return Hypercalls.fail(.EFAULT)
    }
    guard schedID == schedulerCredit else { return Hypercalls.fail(.EINVAL) }
    let target = DomID(domid)
    do throws(HypercallError) {
      switch op {
      case putinfo:
        guard let weight = GuestCopy.readU16(v, a.a1 + 24), let cap = GuestCopy.readU16(v, a.a1 + 26) else {
          return Hypercalls.fail(.EFAULT)
        }
        // Xen: a zero weight means "leave it".
        if weight != 0 { try Machine.sched.setWeight(caller: v.id, target: target, weight: Int(weight)) }
        try Machine.sched.setCap(caller: v.id, target: target, cap: Int(cap))
      case getinfo:
        guard let s = Machine.sched.vcpu(VCPUID(target, 0)) else { return Hypercalls.fail(.ESRCH) }
        guard v.domain.id == .dom0 || v.domain.id == target else { return Hypercalls.fail(.EPERM) }
        guard GuestCopy.writeBytes(v, a.a1 + 24, UInt64(s.weight), 2), GuestCopy.writeBytes(v, a.a1 + 26, UInt64(s.cap), 2) else {
          return Hypercalls.fail(.EFAULT)
        }
      default:
        return Hypercalls.fail(.EINVAL)
      }
    } catch {
      return Hypercalls.fail(error)
    }
    return 0
  }
}
