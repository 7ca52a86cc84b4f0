/// event_channel_op: bindings through the core's `EventChannels`, pending and mask bits in
/// shared_info (`Events`).
enum EventOps {
  static func eventChannelOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    let d = v.domain
    let arg = a.a2
    do throws(HypercallError) {
      switch a.a1 {
      case XenOp.evtchnAllocUnbound:
        // { dom u16, remote_dom u16, port u32 (out) }
        guard let dom = GuestCopy.readU16(v, arg), let remote = GuestCopy.readU16(v, arg + 2) else { return Hypercalls.fail(.EFAULT) }
        guard Hypercalls.isSelf(v, UInt64(dom)) else { return Hypercalls.fail(.EPERM) }
        let r = Hypercalls.isSelf(v, UInt64(remote)) ? d.id : DomID(remote)
        guard Machine.domain(r)?.isAlive == true else { return Hypercalls.fail(.ESRCH) }
        let p = try Events.channels.allocUnbound(caller: d.id, remote: r)
        guard GuestCopy.writeU32(v, arg + 4, p) else { return Hypercalls.fail(.EFAULT) }
      case XenOp.evtchnBindInterdomain:
        // { remote_dom u16, pad, remote_port u32, local_port u32 (out) }
        guard let remote = GuestCopy.readU16(v, arg), let rport = GuestCopy.readU32(v, arg + 4) else { return Hypercalls.fail(.EFAULT) }
        let r = Hypercalls.isSelf(v, UInt64(remote)) ? d.id : DomID(remote)
        guard Machine.domain(r)?.isAlive == true else { return Hypercalls.fail(.ESRCH) }
        let p = try Events.channels.bindInterdomain(caller: d.id, remote: r, remotePort: rport)
        guard GuestCopy.writeU32(v, arg + 8, p) else { return Hypercalls.fail(.EFAULT) }
      case XenOp.evtchnBindVirq:
        // { virq u32, vcpu u32, port u32 (out) }
        guard let virq = GuestCopy.readU32(v, arg), let vcpu = GuestCopy.readU32(v, arg + 4) else { return Hypercalls.fail(.EFAULT) }
        guard Int(vcpu) < d.vcpus.count else { return Hypercalls.fail(.ENOENT) }
        let p = try Events.channels.bindVirq(caller: d.id, virq: virq)
        guard GuestCopy.writeU32(v, arg + 8, p) else { return Hypercalls.fail(.EFAULT) }
      case XenOp.evtchnClose:
        guard let p = GuestCopy.readU32(v, arg) else { return Hypercalls.fail(.EFAULT) }
        try Events.channels.close(caller: d.id, port: p)
      case XenOp.evtchnSend:
        guard let p = GuestCopy.readU32(v, arg) else { return Hypercalls.fail(.EFAULT) }
        if let (r, rp) = try Events.channels.send(caller: d.id, port: p), let target = Machine.domain(r), target.isAlive {
          Events.setPending(target, port: rp)
        }
      case XenOp.evtchnUnmask:
        guard let p = GuestCopy.readU32(v, arg) else { return Hypercalls.fail(.EFAULT) }
        try Events.channels.checkPort(caller: d.id, port: p)
        Events.unmask(d, port: p)
      default:
        return Hypercalls.fail(.ENOSYS)
      }
    } catch {
      return Hypercalls.fail(error)
    }
    return 0
  }
}
