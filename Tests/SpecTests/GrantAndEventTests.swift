import BulkheadSpec
import Testing

/// Grants and event channels: the accepted paths and their bookkeeping.
@Suite struct GrantAndEventTests {
  @Test func grantLifecycle() {
    let sc = Scenario.standard()
    var s = sc.state
    let f = sc.dom1.data[1]
    s = must(s.grantAccess(caller: sc.dom1.vcpu, ref: GrantRef(3), grantee: sc.dom2.domain, frame: f, readOnly: false), "grant").1
    let (h, s1) = must(s.grantMap(caller: sc.dom2.vcpu, granter: sc.dom1.domain, ref: GrantRef(3), readOnly: false), "map")
    s = s1
    #expect(h == GrantHandle(0))
    #expect(s.frame(f).type == .writable && s.frame(f).refCount == 1)
    // A writable grant mapping keeps dom1 from turning the frame into a page table.
    #expect(s.mmuextOpOne(caller: sc.dom1.vcpu, .pinTable(.l1, f)).result.failure == .EINVAL)
    // Copy through the grant, into it.
    s = must(s.mmuUpdateOne(caller: sc.dom2.vcpu, .normal(sc.dom2.data[1], 0, 77)), "write").1
    s = must(s.grantCopy(caller: sc.dom2.vcpu, source: .local(sc.dom2.data[1]), dest: .granted(granter: sc.dom1.domain, ref: GrantRef(3))), "copy").1
    #expect(s.entry(f, 0) == 77)
    #expect(checkAllInvariants(s) == [])
    s = must(s.grantUnmap(caller: sc.dom2.vcpu, handle: h), "unmap").1
    s = must(s.grantEnd(caller: sc.dom1.vcpu, ref: GrantRef(3)), "end").1
    #expect(s.frame(f).refCount == 0 && s.frame(f).type == .none)
    #expect(checkAllInvariants(s) == [])
    #expect(s.grantAccess(caller: sc.dom1.vcpu, ref: GrantRef(600), grantee: sc.dom2.domain, frame: f, readOnly: true).result.failure == .EINVAL)
  }

  @Test func interdomainChannelSignalsAndWakes() {
    let sc = Scenario.standard()
    var s = sc.state
    let (p1, s1) = must(s.evtchnAllocUnbound(caller: sc.dom1.vcpu, remote: sc.dom2.domain), "alloc")
    s = s1
    let (p2, s2) = must(s.evtchnBindInterdomain(caller: sc.dom2.vcpu, remote: sc.dom1.domain, remotePort: p1), "bind")
    s = s2
    #expect(s.ports[sc.dom1.domain]![p1]!.binding == .interdomain(remote: sc.dom2.domain, remotePort: p2))
    s = must(s.block(caller: sc.dom1.vcpu), "block").1
    #expect(s.vcpus[sc.dom1.vcpu]!.blocked)
    s = must(s.evtchnSend(caller: sc.dom2.vcpu, port: p2), "send").1
    #expect(s.ports[sc.dom1.domain]![p1]!.pending)
    #expect(!s.vcpus[sc.dom1.vcpu]!.blocked)
    #expect(s.vcpus[sc.dom1.vcpu]!.priority == .boost)
    // Blocking with an event pending returns at once.
    #expect(s.block(caller: sc.dom1.vcpu).state == s)
    s = must(s.evtchnClose(caller: sc.dom2.vcpu, port: p2), "close").1
    #expect(s.ports[sc.dom1.domain]![p1]!.binding == .unbound(remote: sc.dom2.domain))
    #expect(checkAllInvariants(s) == [])
  }

  @Test func maskedEventsDoNotWakeUntilUnmasked() {
    let sc = Scenario.standard()
    var s = sc.state
    let (p, s1) = must(s.evtchnBindVirq(caller: sc.dom1.vcpu, virq: 0), "virq")
    s = s1
    #expect(s.evtchnBindVirq(caller: sc.dom1.vcpu, virq: 0).result.failure == .EEXIST)
    #expect(s.evtchnSend(caller: sc.dom1.vcpu, port: p).result.failure == .EINVAL)
    s = must(s.evtchnMask(caller: sc.dom1.vcpu, port: p), "mask").1
    s = must(s.block(caller: sc.dom1.vcpu), "block").1
    s = must(s.raiseVirq(sc.dom1.domain, virq: 0), "virq").1
    #expect(s.vcpus[sc.dom1.vcpu]!.blocked)
    s = must(s.evtchnUnmask(caller: sc.dom1.vcpu, port: p), "unmask").1
    #expect(!s.vcpus[sc.dom1.vcpu]!.blocked)
    #expect(checkAllInvariants(s) == [])
  }

  @Test func portsRunOut() {
    var config = SpecConfig()
    config.maxPorts = 3
    var s = SpecState(config: config)
    let v = VCPUID(.dom0, 0)
    s = must(s.evtchnAllocUnbound(caller: v, remote: .dom0), "1").1
    s = must(s.evtchnAllocUnbound(caller: v, remote: .dom0), "2").1
    #expect(s.evtchnAllocUnbound(caller: v, remote: .dom0).result.failure == .ENOSPC)
  }
}
