// evtchn<Op>_eventChannelConsistency / evtchn<Op>_domainConsistency: the event-channel
// hypercalls of Spec/EventChannels.swift preserve the port invariants, for unboundedly many
// domains and ports.
//
// A port table `ports[d][p]` (Spec `[DomID: [Port: EventChannel]]`) is a set of two-argument
// fields over (domain, port), one per field of `EventChannel`, with the `Binding` enum encoded as
// a kind plus its payload:
//
//   kind        0 = no port (ports[d][p] == nil)   1 = unbound   2 = interdomain   3 = virq
//   remote      unbound(remote:) / interdomain(remote:)            0 otherwise
//   remotePort  interdomain(remotePort:)                           0 otherwise
//   virq        virq(_)                                            0 otherwise
//
// Absent ports and unused payload fields are 0 (`portCanonical`), so "no port" has exactly one
// encoding, as `nil` has in the Spec. `portTable[d]` is `ports[d] != nil`.
//
// The wake-up half of evtchnSend / evtchnUnmask (`setPending` / `wakeBlocked` of vCPU 0) is the
// scheduler's `wake`, proved in RunQueueObligations.swift; here only the port state is stepped.

import BulkheadCore
import Z3Kit

/// `Binding` kinds as stored in `SymPorts.kind`.
enum SymBinding {
  static let none: UInt64 = 0
  static let unbound: UInt64 = 1
  static let interdomain: UInt64 = 2
  static let virq: UInt64 = 3
}

/// Every domain's port table, symbolically.
struct SymPorts {
  var kind = Field2.fresh("port.kind")
  var remote = Field2.fresh("port.remote")
  var remotePort = Field2.fresh("port.remotePort")
  var virq = Field2.fresh("port.virq")
  var pending = Field2.fresh("port.pending")
  var masked = Field2.fresh("port.masked")
  /// `ports[d] != nil`.
  var portTable = Field.fresh("portTable")
  /// SpecConfig.maxPorts and virqCount.
  var maxPorts = BV("maxPorts")
  var virqCount = BV("virqCount")

  /// `ports[d][p] = EventChannel(binding:)` (pending and mask clear), or `nil` for kind none.
  func setPort(_ d: BV, _ p: BV, kind k: UInt64, remote r: BV = kFalse, remotePort rp: BV = kFalse, virq v: BV = kFalse) -> SymPorts {
    var n = self
    n.kind = kind.set(d, p, BV(constant: k))
    n.remote = remote.set(d, p, r)
    n.remotePort = remotePort.set(d, p, rp)
    n.virq = virq.set(d, p, v)
    n.pending = pending.set(d, p, kFalse)
    n.masked = masked.set(d, p, kFalse)
    return n
  }

  /// `ports[d][p]!.binding = b`: pending and mask are kept.
  func setBinding(_ d: BV, _ p: BV, kind k: UInt64, remote r: BV = kFalse, remotePort rp: BV = kFalse) -> SymPorts {
    var n = self
    n.kind = kind.set(d, p, BV(constant: k))
    n.remote = remote.set(d, p, r)
    n.remotePort = remotePort.set(d, p, rp)
    n.virq = virq.set(d, p, kFalse)
    return n
  }

  /// A small port state for mutant counterexamples: `slots` symbolic ports `(dom_i, port_i)`
  /// with free field values; every other port is absent (all fields 0).
  static func small(slots: Int) -> SymPorts {
    var n = SymPorts()
    let doms = (0..<slots).map { BV("small.dom\($0)") }
    let ports = (0..<slots).map { BV("small.port\($0)") }
    func table(_ name: String) -> Field2 {
      let values = (0..<slots).map { BV("small.\(name)\($0)") }
      return Field2 { d, p in
        (0..<slots).reversed().reduce(kFalse) { rest, i in BV.ite(d .== doms[i] && p .== ports[i], values[i], rest) }
      }
    }
    n.kind = table("kind")
    n.remote = table("remote")
    n.remotePort = table("remotePort")
    n.virq = table("virq")
    n.pending = table("pending")
    n.masked = table("masked")
    return n
  }

  func exists(_ d: BV, _ p: BV) -> Z3Bool { kind[d, p] .!= SymBinding.none }
  func isKind(_ d: BV, _ p: BV, _ k: UInt64) -> Z3Bool { kind[d, p] .== k }
}

/// Config ranges: SpecConfig's port and VIRQ counts are small positive Ints.
func portConfigRanges(_ s: SymState) -> [Z3Bool] {
  [s.evtchn.maxPorts .<= (1 << 32), s.evtchn.virqCount .<= (1 << 32)]
}

// MARK: invariants

/// `eventChannelConsistency` at one port: it lies in 1..<maxPorts of a live domain; an
/// interdomain port's peer exists and points back at it; the encoding is canonical.
func eventChannelConsistencyAt(_ s: SymState, _ d: BV, _ p: BV) -> Z3Bool {
  let e = s.evtchn
  let k = e.kind[d, p]
  let r = e.remote[d, p], rp = e.remotePort[d, p]
  return k .<= SymBinding.virq
    && (k .!= SymBinding.none).implies(flag(s.alive[d]) && d .< 0x1_0000 && p .!= 0 && p .< e.maxPorts)
    && (k .== SymBinding.interdomain).implies(
      e.kind[r, rp] .== SymBinding.interdomain && e.remote[r, rp] .== d && e.remotePort[r, rp] .== p)
    // canonical encoding: absent ports and unused payload fields are 0
    && (k .== SymBinding.none).implies(!flag(e.pending[d, p]) && !flag(e.masked[d, p]))
    && (k .== SymBinding.none || k .== SymBinding.virq).implies(r .== 0)
    && (k .!= SymBinding.interdomain).implies(rp .== 0)
    && (k .!= SymBinding.virq).implies(e.virq[d, p] .== 0)
    && r .< 0x1_0000
}

let eventChannelConsistencyInv = SymInvariant(name: "eventChannelConsistency") { s in
  let d = BV("inv.d"), p = BV("inv.p")
  return forall([d, p], eventChannelConsistencyAt(s, d, p))
}

/// `domainConsistency`, its port-table part: a domain has a port table exactly while it is alive,
/// and every port lives in a table. (The Spec's `s.ports[d]!` after `callerDomain` relies on it.)
let domainConsistencyPortsInv = SymInvariant(name: "domainConsistency") { s in
  let d = BV("inv.d"), p = BV("inv.p")
  return forall([d], flag(s.evtchn.portTable[d]).iff(flag(s.alive[d])))
    && forall([d, p], s.evtchn.exists(d, p).implies(flag(s.evtchn.portTable[d])))
}

let eventChannelInvariants = [eventChannelConsistencyInv, domainConsistencyPortsInv]

// MARK: transitions (Spec/EventChannels.swift, same names and check order)

/// Checks an evtchn mutant may drop.
enum EvtchnCheck { case none, caller, freePort, unboundPeer, virqPort, peerReset, portExists }

/// `freePort(d)`: any free port `p` in 1..<maxPorts (the Spec takes the lowest, one of them), ENOSPC.
func symFreePort(_ r: inout Refusals, _ s: SymState, _ d: BV, chosen p: BV, check: Bool = true) {
  if check { r.guard(p .!= 0 && p .< s.evtchn.maxPorts && !s.evtchn.exists(d, p), DecisionErrno.ENOSPC) }
}

func symEvtchnCaller(_ r: inout Refusals, _ s: SymState, _ d: BV, _ drop: EvtchnCheck) {
  if drop != .caller { symCallerDomain(&r, s, d) }
}

/// `evtchnAllocUnbound(caller:remote:)` returning port `p`.
func symEvtchnAllocUnbound(caller d: BV, remote rd: BV, port p: BV, drop: EvtchnCheck = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symEvtchnCaller(&r, s, d, drop)
    r.guard(flag(s.alive[rd]), DecisionErrno.ESRCH)
    symFreePort(&r, s, d, chosen: p, check: drop != .freePort)
    var n = s
    n.evtchn = s.evtchn.setPort(d, p, kind: SymBinding.unbound, remote: rd)
    return (r, n)
  }
}

/// `evtchnBindInterdomain(caller:remote:remotePort:)` returning port `p`.
func symEvtchnBindInterdomain(caller d: BV, remote rd: BV, remotePort rp: BV, port p: BV, drop: EvtchnCheck = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symEvtchnCaller(&r, s, d, drop)
    r.guard(flag(s.alive[rd]), DecisionErrno.ESRCH)
    // guard s.ports[remote]?[remotePort]?.binding == .unbound(remote: d) else { throw .EINVAL }
    let offered = drop == .unboundPeer
      ? s.evtchn.exists(rd, rp) : s.evtchn.isKind(rd, rp, SymBinding.unbound) && s.evtchn.remote[rd, rp] .== d
    r.guard(offered, DecisionErrno.EINVAL)
    symFreePort(&r, s, d, chosen: p)
    var n = s
    n.evtchn = s.evtchn.setPort(d, p, kind: SymBinding.interdomain, remote: rd, remotePort: rp)
    n.evtchn = n.evtchn.setBinding(rd, rp, kind: SymBinding.interdomain, remote: d, remotePort: p)
    return (r, n)
  }
}

/// `evtchnBindVirq(caller:virq:)` returning port `p`.
func symEvtchnBindVirq(caller d: BV, virq v: BV, port p: BV, drop: EvtchnCheck = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symEvtchnCaller(&r, s, d, drop)
    r.guard(v .< s.evtchn.virqCount, DecisionErrno.EINVAL)
    let q = BV("evtchnBindVirq.port")
    r.throwIf(exists([q], s.evtchn.isKind(d, q, SymBinding.virq) && s.evtchn.virq[d, q] .== v), DecisionErrno.EEXIST)
    symFreePort(&r, s, d, chosen: p, check: drop != .freePort)
    var n = s
    n.evtchn = s.evtchn.setPort(d, p, kind: SymBinding.virq, virq: v)
    return (r, n)
  }
}

/// `setPending(d, p)`: the port state only (the wake-up is `wake`).
func symSetPending(_ s: SymState, _ d: BV, _ p: BV) -> SymState {
  var n = s
  n.evtchn.pending = s.evtchn.pending.set(d, p, kTrue)
  return n
}

/// `evtchnSend(caller:port:)`.
func symEvtchnSend(caller d: BV, port p: BV, drop: EvtchnCheck = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symEvtchnCaller(&r, s, d, drop)
    r.guard(s.evtchn.exists(d, p), DecisionErrno.EINVAL)
    if drop != .virqPort { r.throwIf(s.evtchn.isKind(d, p, SymBinding.virq), DecisionErrno.EINVAL) }
    // .unbound: nothing; .interdomain(r, rp): setPending(r, rp). The mutant treats every
    // non-unbound port as interdomain.
    let interdomain = drop == .virqPort
      ? !s.evtchn.isKind(d, p, SymBinding.unbound) : s.evtchn.isKind(d, p, SymBinding.interdomain)
    let pended = symSetPending(s, s.evtchn.remote[d, p], s.evtchn.remotePort[d, p])
    var n = s
    n.evtchn.pending = Field2 { a, b in BV.ite(interdomain, pended.evtchn.pending[a, b], s.evtchn.pending[a, b]) }
    return (r, n)
  }
}

/// `raiseVirq(d, virq:)`, port part (its wake-up is EventWakeObligations.swift): `d` alive
/// (ESRCH); if some port p of d is bound to `virq`, it becomes pending. Which port the Spec's
/// `first(where:)` finds is a choice: `found` and `p` are free, constrained to a port of d bound
/// to `virq` when found. The mutant pends port p without the binding check.
func symRaiseVirq(domain d: BV, virq v: BV, port p: BV, found: Z3Bool, checkBinding: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    r.guard(flag(s.alive[d]), DecisionErrno.ESRCH)
    let bound = s.evtchn.isKind(d, p, SymBinding.virq) && s.evtchn.virq[d, p] .== v
    let pends = checkBinding ? found && bound : found
    let pended = symSetPending(s, d, p)
    var n = s
    n.evtchn.pending = Field2 { a, b in BV.ite(pends, pended.evtchn.pending[a, b], s.evtchn.pending[a, b]) }
    return (r, n)
  }
}

/// `evtchnClose(caller:port:)`.
func symEvtchnClose(caller d: BV, port p: BV, drop: EvtchnCheck = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symEvtchnCaller(&r, s, d, drop)
    r.guard(s.evtchn.exists(d, p), DecisionErrno.EINVAL)
    let rd = s.evtchn.remote[d, p], rp = s.evtchn.remotePort[d, p]
    // s.ports[d]![port] = nil
    let removed = s.evtchn.setPort(d, p, kind: SymBinding.none)
    // if case .interdomain(r, rp) = ch.binding, s.ports[r]?[rp] != nil { ... = .unbound(remote: d) }
    let reset = s.evtchn.isKind(d, p, SymBinding.interdomain) && removed.exists(rd, rp) && Z3Bool(constant: drop != .peerReset)
    let peer = removed.setBinding(rd, rp, kind: SymBinding.unbound, remote: d)
    var n = s
    n.evtchn = removed
    n.evtchn.kind = Field2 { a, b in BV.ite(reset, peer.kind[a, b], removed.kind[a, b]) }
    n.evtchn.remote = Field2 { a, b in BV.ite(reset, peer.remote[a, b], removed.remote[a, b]) }
    n.evtchn.remotePort = Field2 { a, b in BV.ite(reset, peer.remotePort[a, b], removed.remotePort[a, b]) }
    n.evtchn.virq = Field2 { a, b in BV.ite(reset, peer.virq[a, b], removed.virq[a, b]) }
    return (r, n)
  }
}

/// `evtchnMask(caller:port:)` (the guest's shared-info write).
func symEvtchnMask(caller d: BV, port p: BV, drop: EvtchnCheck = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symEvtchnCaller(&r, s, d, drop)
    if drop != .portExists { r.guard(s.evtchn.exists(d, p), DecisionErrno.EINVAL) }
    var n = s
    n.evtchn.masked = s.evtchn.masked.set(d, p, kTrue)
    return (r, n)
  }
}

/// `evtchnUnmask(caller:port:)`: the port state (a pending event then wakes vCPU 0: `wake`).
func symEvtchnUnmask(caller d: BV, port p: BV, drop: EvtchnCheck = .none) -> SymTransition {
  { s in
    var r = Refusals()
    symEvtchnCaller(&r, s, d, drop)
    if drop != .portExists { r.guard(s.evtchn.exists(d, p), DecisionErrno.EINVAL) }
    var n = s
    n.evtchn.masked = s.evtchn.masked.set(d, p, kFalse)
    return (r, n)
  }
}

/// `domainCreate(caller:domain:maxPages:vcpus:)`, port part: the new domain is alive with an
/// empty port table. Checks: privileged live caller (ESRCH, EPERM), id unused (EEXIST), 16-bit.
func symDomainCreatePorts(caller c: BV, domain d: BV) -> SymTransition {
  { s in
    var r = Refusals()
    symCallerDomain(&r, s, c)
    r.guard(flag(s.privileged[c]), DecisionErrno.EPERM)
    r.guard(!flag(s.used[d]), DecisionErrno.EEXIST)
    r.guard(d .< 0x1_0000, DecisionErrno.EINVAL)
    var n = s
    n.used = s.used.set(d, kTrue)
    n.alive = s.alive.set(d, kTrue)
    n.evtchn.portTable = s.evtchn.portTable.set(d, kTrue)
    return (r, n)
  }
}

/// `domainDestroy(caller:target:)`, port part (its step 4 and `ports[target] = nil`): the peer of
/// each interdomain port of `target` in another domain becomes `unbound(remote: target)`, then
/// the table goes and the domain is dead. The Spec's loop over target's ports is written as the
/// set of ports it resets: (a, b) with a != target, interdomain to target, whose peer port
/// (target, remotePort) is interdomain back to (a, b) — that peer is a port the loop visits, and
/// every port the loop resets is such an (a, b) (its binding is read from target's port, which
/// names it). The mutant skips the loop. Checks: privileged live caller, live target != caller
/// (the grant EBUSY check is left out: fewer checks, more behaviours).
func symDomainDestroyPorts(caller c: BV, target d: BV, resetPeers: Bool = true) -> SymTransition {
  { s in
    var r = Refusals()
    symDestroyChecks(&r, s, caller: c, target: d)
    let e = s.evtchn
    let reset: (BV, BV) -> Z3Bool = { a, b in
      let q = e.remotePort[a, b]
      return Z3Bool(constant: resetPeers) && a .!= d && e.isKind(a, b, SymBinding.interdomain) && e.remote[a, b] .== d
        && e.isKind(d, q, SymBinding.interdomain) && e.remote[d, q] .== a && e.remotePort[d, q] .== b
    }
    let gone: (BV, BV) -> Z3Bool = { a, _ in a .== d }
    var n = s
    n.evtchn.kind = Field2 { a, b in
      BV.ite(gone(a, b), kFalse, BV.ite(reset(a, b), BV(constant: SymBinding.unbound), e.kind[a, b]))
    }
    n.evtchn.remote = Field2 { a, b in BV.ite(gone(a, b), kFalse, e.remote[a, b]) }  // a reset port keeps remote == d
    n.evtchn.remotePort = Field2 { a, b in BV.ite(gone(a, b) || reset(a, b), kFalse, e.remotePort[a, b]) }
    n.evtchn.virq = Field2 { a, b in BV.ite(gone(a, b), kFalse, e.virq[a, b]) }
    n.evtchn.pending = Field2 { a, b in BV.ite(gone(a, b), kFalse, e.pending[a, b]) }
    n.evtchn.masked = Field2 { a, b in BV.ite(gone(a, b), kFalse, e.masked[a, b]) }
    n.evtchn.portTable = e.portTable.set(d, kFalse)
    n.alive = s.alive.set(d, kFalse)
    return (r, n)
  }
}

// MARK: obligations

/// One evtchn step: caller domain `d` (a DomID), two arguments (`argIsDomain`: the first is a
/// DomID), the chosen or named port. `shape` narrows a mutant's counterexample search.
private func evtchnStep(
  argIsDomain: Bool = false, shape: @escaping @Sendable (SymState, BV, BV, BV, BV) -> [Z3Bool] = { _, _, _, _, _ in [] },
  _ make: @escaping @Sendable (BV, BV, BV, BV) -> SymTransition
) -> @Sendable () -> Step {
  {
    let d = BV("caller"), a = BV("arg"), b = BV("arg2"), p = BV("port")
    let s = SymState()
    // DomID is 16 bits, Port and the VIRQ number 32.
    var types = [d .< 0x1_0000, b .< (1 << 32), p .< (1 << 32)]
    types.append(argIsDomain ? a .< 0x1_0000 : a .< (1 << 32))
    var small = SymState()
    small.evtchn = SymPorts.small(slots: 3)
    return Step(
      transition: make(d, a, b, p), hypotheses: portConfigRanges(s) + types,
      witnesses: [.word("caller", d), .word("arg", a), .word("arg2", b), .word("port", p)],
      mutantShape: shape(small, d, a, b, p), mutantState: small)
  }
}

private func alloc(_ drop: EvtchnCheck = .none) -> @Sendable () -> Step {
  evtchnStep(argIsDomain: true) { d, rd, _, p in symEvtchnAllocUnbound(caller: d, remote: rd, port: p, drop: drop) }
}
private func bind(_ drop: EvtchnCheck = .none) -> @Sendable () -> Step {
  // bindsBoundPort: the remote port is already connected to someone.
  evtchnStep(argIsDomain: true, shape: { s, _, rd, rp, _ in drop == .unboundPeer ? [s.evtchn.isKind(rd, rp, SymBinding.interdomain)] : [] }) {
    d, rd, rp, p in symEvtchnBindInterdomain(caller: d, remote: rd, remotePort: rp, port: p, drop: drop)
  }
}
private func bindVirq(_ drop: EvtchnCheck = .none) -> @Sendable () -> Step {
  // takesUsedPort: the port taken is connected to another domain.
  evtchnStep(shape: { s, d, _, _, p in drop == .freePort ? [s.evtchn.isKind(d, p, SymBinding.interdomain), s.evtchn.remote[d, p] .!= d] : [] }) {
    d, v, _, p in symEvtchnBindVirq(caller: d, virq: v, port: p, drop: drop) }
}
private func send(_ drop: EvtchnCheck = .none) -> @Sendable () -> Step {
  evtchnStep { d, _, _, p in symEvtchnSend(caller: d, port: p, drop: drop) }
}
private func raise(checkBinding: Bool = true) -> @Sendable () -> Step {
  evtchnStep { d, v, _, p in symRaiseVirq(domain: d, virq: v, port: p, found: Z3Bool("raiseVirq.found"), checkBinding: checkBinding) }
}
private func close(_ drop: EvtchnCheck = .none) -> @Sendable () -> Step {
  // peerKeepsBinding: the closed port is connected to a port of another domain.
  evtchnStep(shape: { s, d, _, _, p in drop == .peerReset ? [s.evtchn.isKind(d, p, SymBinding.interdomain), s.evtchn.remote[d, p] .!= d] : [] }) {
    d, _, _, p in symEvtchnClose(caller: d, port: p, drop: drop) }
}
private func mask(_ drop: EvtchnCheck = .none) -> @Sendable () -> Step {
  evtchnStep { d, _, _, p in symEvtchnMask(caller: d, port: p, drop: drop) }
}
private func unmask(_ drop: EvtchnCheck = .none) -> @Sendable () -> Step {
  evtchnStep { d, _, _, p in symEvtchnUnmask(caller: d, port: p, drop: drop) }
}

private func createPorts() -> @Sendable () -> Step {
  evtchnStep(argIsDomain: true) { c, d, _, _ in symDomainCreatePorts(caller: c, domain: d) }
}
private func destroyPorts(resetPeers: Bool = true) -> @Sendable () -> Step {
  // peersKeepBinding: the target has a channel to another domain.
  evtchnStep(argIsDomain: true, shape: { s, _, d, _, p in resetPeers ? [] : [s.evtchn.isKind(d, p, SymBinding.interdomain), s.evtchn.remote[d, p] .!= d] }) {
    c, d, _, _ in symDomainDestroyPorts(caller: c, target: d, resetPeers: resetPeers) }
}

let eventChannelObligations: [Obligation] = {
  let g = eventChannelInvariants
  let ecc = eventChannelConsistencyInv, dc = domainConsistencyPortsInv
  return [
    inductive("evtchnAllocUnbound", ecc, group: g, step: alloc(), mutant: .weakened("takesUsedPort", alloc(.freePort))),
    inductive("evtchnAllocUnbound", dc, group: g, step: alloc(), mutant: .weakened("noCallerCheck", alloc(.caller))),
    inductive("evtchnBindInterdomain", ecc, group: g, step: bind(), mutant: .weakened("bindsBoundPort", bind(.unboundPeer))),
    inductive("evtchnBindInterdomain", dc, group: g, step: bind(), mutant: .weakened("noCallerCheck", bind(.caller))),
    inductive("evtchnBindVirq", ecc, group: g, step: bindVirq(), mutant: .weakened("takesUsedPort", bindVirq(.freePort))),
    inductive("evtchnBindVirq", dc, group: g, step: bindVirq(), mutant: .weakened("noCallerCheck", bindVirq(.caller))),
    inductive("evtchnSend", ecc, group: g, step: send(), mutant: .weakened("sendsOnVirqPort", send(.virqPort))),
    inductive("evtchnSend", dc, group: g, step: send(), mutant: .noInductionHypothesis),
    inductive("evtchnClose", ecc, group: g, step: close(), mutant: .weakened("peerKeepsBinding", close(.peerReset))),
    inductive("evtchnClose", dc, group: g, step: close(), mutant: .noInductionHypothesis),
    inductive("evtchnMask", ecc, group: g, step: mask(), mutant: .weakened("masksAbsentPort", mask(.portExists))),
    inductive("evtchnMask", dc, group: g, step: mask(), mutant: .noInductionHypothesis),
    inductive("evtchnUnmask", ecc, group: g, step: unmask(), mutant: .noInductionHypothesis),
    inductive("evtchnUnmask", dc, group: g, step: unmask(), mutant: .noInductionHypothesis),
    inductive("raiseVirq", ecc, group: g, step: raise(), mutant: .weakened("pendsUnboundPort", raise(checkBinding: false))),
    inductive("raiseVirq", dc, group: g, step: raise(), mutant: .noInductionHypothesis),
    // A new domain's id was never used, so no port names it (frameOwnership: alive ⇒ used).
    inductive("domainCreate", ecc, group: g + [frameOwnershipInv], step: createPorts(), mutant: .noInductionHypothesis),
    inductive("domainDestroy", ecc, group: g, step: destroyPorts(), mutant: .weakened("peersKeepBinding", destroyPorts(resetPeers: false))),
  ]
}()
