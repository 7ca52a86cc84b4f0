// A small, standard machine built only through transitions, so it is a reachable state.
// The attack catalogue and the tests start from it.
//
//   dom0 (privileged, no memory) creates dom1 and dom2, 1 vCPU and 16 pages each, and unpauses
//   them. Each guest populates 8 frames and builds a four-level tree mapping one data page:
//
//     l4[0] -> l3[0] -> l2[0] -> l1[0] -> data[0] (R/W)
//
//   then pins its L4 (validating the whole tree), loads it in CR3, and sets up a one-frame
//   grant table.

/// The frames a scenario guest uses.
public struct GuestLayout: Equatable, Sendable {
  /// The guest's vCPU 0.
  public var vcpu: VCPUID
  /// Its root table (pinned, in CR3).
  public var l4: MFN
  /// Its L3, L2 and L1 (validated through the L4).
  public var l3: MFN, l2: MFN, l1: MFN
  /// Four data frames; `data[0]` is mapped R/W at va 0.
  public var data: [MFN]
  /// The domain id.
  public var domain: DomID { vcpu.domain }
}

/// A reachable starting state and the layout of its two guests.
public struct Scenario: Equatable, Sendable {
  /// The state.
  public var state: SpecState
  /// dom0's vCPU 0, the control domain's hypercall issuer.
  public var dom0: VCPUID { VCPUID(.dom0, 0) }
  /// The first guest.
  public var dom1: GuestLayout
  /// The second guest.
  public var dom2: GuestLayout

  /// Builds the standard scenario (see the file comment).
  public static func standard(config: SpecConfig = SpecConfig()) -> Scenario {
    var s = SpecState(config: config)
    let d0 = VCPUID(.dom0, 0)
    var layouts: [GuestLayout] = []
    for id in [DomID(1), DomID(2)] {
      s = must(s.domainCreate(caller: d0, domain: id, maxPages: 16, vcpus: 1), "create \(id)").1
      s = must(s.domainUnpause(caller: d0, target: id), "unpause \(id)").1
      let v = VCPUID(id, 0)
      let (f, s1) = must(s.populatePhysmap(caller: v, count: 8), "populate \(id)")
      s = s1
      let g = GuestLayout(vcpu: v, l4: f[0], l3: f[1], l2: f[2], l1: f[3], data: Array(f[4...]))
      let rw = PTE.present | PTE.writable | PTE.user
      let writes: [MMUUpdate] = [
        .normal(g.l4, 0, PTE.make(g.l3, rw)),
        .normal(g.l3, 0, PTE.make(g.l2, rw)),
        .normal(g.l2, 0, PTE.make(g.l1, rw)),
        .normal(g.l1, 0, PTE.make(g.data[0], rw)),
      ]
      let b = s.mmuUpdate(caller: v, writes)
      precondition(b.error == nil, "Scenario: building \(id)'s tables: \(String(describing: b.error))")
      let p = b.state.mmuextOp(caller: v, [.pinTable(.l4, g.l4), .newBaseptr(g.l4)])
      precondition(p.error == nil, "Scenario: pinning \(id)'s L4: \(String(describing: p.error))")
      s = must(p.state.grantSetupTable(caller: v, frames: 1), "grant table \(id)").1
      layouts.append(g)
    }
    return Scenario(state: s, dom1: layouts[0], dom2: layouts[1])
  }
}

/// Unwraps an accepted transition; a refusal is a bug in the scenario itself.
public func must<R>(_ t: Transition<R>, _ what: String) -> (R, SpecState) {
  switch t.result {
  case .success(let r): return (r, t.state)
  case .failure(let e): preconditionFailure("Scenario step refused (\(e)): \(what)")
  }
}
