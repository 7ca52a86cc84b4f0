import KernelArch

/// grant_table_op with Xen's v1 ABI over the core's grant table.
///
/// In Xen a guest grants access by writing an 8-byte entry { flags u16, domid u16, frame u32 }
/// into its shared grant frames. The core keeps its own record of each entry (the Spec's
/// grantAccess / grantEnd transitions); the kernel brings the two together when the entry is
/// used: before a map or copy it reads the guest's entry and, unless the core's record is in
/// use by a mapping, makes the core's record say the same thing. While mapped, the core's
/// record stands (revoking a mapped grant is refused: Rule.grantOutlivesItsUsers).
enum GrantOps {
  static let setupTable: UInt64 = 2
  static let mapGrantRef: UInt64 = 0
  static let unmapGrantRef: UInt64 = 1
  static let copy: UInt64 = 5
  static let querySize: UInt64 = 6
  static let maxOps: UInt64 = 64

  static let gntmapHostMap: UInt32 = 1 << 1
  static let gntmapReadonly: UInt32 = 1 << 2
  static let gtfPermitAccess: UInt16 = 1
  static let gtfReadonly: UInt16 = 1 << 2
  static let gtfReading: UInt16 = 1 << 3
  static let gtfWriting: UInt16 = 1 << 4
  static let gntcopySourceGref: UInt16 = 1
  static let gntcopyDestGref: UInt16 = 2

  static func grantTableOp(_ v: VCPU, _ a: HypercallArgs) -> Int64 {
    guard a.a3 <= maxOps else { return Hypercalls.fail(.EINVAL) }
    for i in 0..<a.a3 {
      let ok: Bool
      switch a.a1 {
      case setupTable: ok = setup(v, a.a2 &+ i * 24)
      case querySize: ok = query(v, a.a2 &+ i * 16)
      case mapGrantRef: ok = map(v, a.a2 &+ i * 32)
      case unmapGrantRef: ok = unmap(v, a.a2 &+ i * 24)
      case copy: ok = copyOne(v, a.a2 &+ i * 40)
      default: return Hypercalls.fail(.ENOSYS)
      }
      if !ok { return Hypercalls.fail(.EFAULT) }
    }
    return 0
  }

  /// Xen's GNTST_* for a core errno.
  static func status(_ e: HypercallError) -> Int16 {
    switch e {
    case .ESRCH: return -2    // bad_domain
    case .ENOENT: return -3   // bad_gntref
    case .EPERM: return -8    // permission_denied
    case .ENOMEM: return -7   // no_device_space
    case .EINVAL: return -9   // bad_page
    default: return -1        // general_error
    }
  }

  static func writeStatus(_ v: VCPU, _ va: UInt64, _ s: Int16) -> Bool {
    GuestCopy.writeBytes(v, va, UInt64(UInt16(bitPattern: s)), 2)
  }

  /// gnttab_setup_table { domid u16, nr_frames u32 @4, status i16 @8, frame_list @16 }.
  static func setup(_ v: VCPU, _ op: UInt64) -> Bool {
    guard let domid = GuestCopy.readU16(v, op), let n = GuestCopy.readU32(v, op + 4),
      let list = GuestCopy.readU64(v, op + 16)
    else { return false }
    guard Hypercalls.isSelf(v, UInt64(domid)) else { return writeStatus(v, op + 8, -2) }
    let d = v.domain
    do throws(HypercallError) {
      _ = try Machine.mm!.grantSetupTable(caller: v.id, frames: Int(n))
      while d.grantFrames.count < Int(n) {
        let f = try Machine.mm!.populatePhysmap(caller: v.id, count: 1)[0]
        var memory = DirectMapMemory()
        memory.zeroFrame(f)
        try Machine.mm!.hypervisorGetPage(f, for: d.id)
        d.grantFrames.append(f)
      }
    } catch {
      return writeStatus(v, op + 8, status(error))
    }
    for i in 0..<Int(n) where !GuestCopy.writeU64(v, list &+ UInt64(i) * 8, d.grantFrames[i].raw) { return false }
    return writeStatus(v, op + 8, 0)
  }

  /// gnttab_query_size { domid u16, nr_frames u32 @4, max_nr_frames u32 @8, status i16 @12 }.
  static func query(_ v: VCPU, _ op: UInt64) -> Bool {
    GuestCopy.writeU32(v, op + 4, UInt32(v.domain.grantFrames.count))
      && GuestCopy.writeU32(v, op + 8, UInt32(Machine.mm!.config.maxGrantFrames))
      && writeStatus(v, op + 12, 0)
  }

  /// The granter's v1 entry for `ref` in its grant frames, through the direct map.
  static func entryPointer(_ granter: Domain, _ ref: UInt32) -> UnsafeMutableRawPointer? {
    let perFrame = UInt32(Machine.mm!.config.grantEntriesPerFrame)
    let page = Int(ref / perFrame)
    guard page < granter.grantFrames.count else { return nil }
    return UnsafeMutableRawPointer(MachineBytes.pointer(granter.grantFrames[page].address.raw + UInt64(ref % perFrame) * 8))
  }

  /// Xen's status bits in the granter's entry: GTF_reading / GTF_writing while mapped, so a
  /// granter can see its page is still in use.
  static func setInUseFlags(_ granter: Domain, _ ref: UInt32) {
    guard let entry = entryPointer(granter, ref), let core = Machine.mm!.grantEntry(granter.id, GrantRef(ref)) else { return }
    var flags = entry.load(as: UInt16.self) & ~(gtfReading | gtfWriting)
    if core.mapCount > 0 { flags |= gtfReading | (core.readOnly ? 0 : gtfWriting) }
    entry.storeBytes(of: flags, as: UInt16.self)
  }

  /// Brings the core's record of `ref` in line with the entry `granter` wrote, unless mapped.
  static func sync(_ granter: Domain, _ ref: UInt32) {
    guard let entry = entryPointer(granter, ref) else { return }
    let flags = entry.load(as: UInt16.self)
    let grantee = DomID(entry.load(fromByteOffset: 2, as: UInt16.self))
    let frame = MFN(UInt64(entry.load(fromByteOffset: 4, as: UInt32.self)))
    let readOnly = flags & gtfReadonly != 0
    let core = Machine.mm!.grantEntry(granter.id, GrantRef(ref))
    guard let c = core, c.mapCount == 0 else { return }
    let caller = VCPUID(granter.id, 0)
    if flags & 3 == gtfPermitAccess {
      if !(c.inUse && c.grantee == grantee && c.frame == frame && c.readOnly == readOnly) {
        try? Machine.mm!.grantAccess(caller: caller, ref: GrantRef(ref), grantee: grantee, frame: frame, readOnly: readOnly)
      }
    } else if c.inUse {
      try? Machine.mm!.grantEnd(caller: caller, ref: GrantRef(ref))
    }
  }

  /// gnttab_map_grant_ref { host_addr u64, flags u32 @8, ref u32 @12, dom u16 @16,
  /// status i16 @18, handle u32 @20, dev_bus_addr u64 @24 }.
  static func map(_ v: VCPU, _ op: UInt64) -> Bool {
    guard let hostAddr = GuestCopy.readU64(v, op), let flags = GuestCopy.readU32(v, op + 8),
      let ref = GuestCopy.readU32(v, op + 12), let dom = GuestCopy.readU16(v, op + 16)
    else { return false }
    guard let granter = Machine.domain(DomID(dom)), granter.isAlive else { return writeStatus(v, op + 18, -2) }
    sync(granter, ref)
    let readOnly = flags & gntmapReadonly != 0
    let handle: GrantHandle
    do throws(HypercallError) {
      handle = try Machine.mm!.grantMap(caller: v.id, granter: granter.id, ref: GrantRef(ref), readOnly: readOnly)
    } catch {
      return writeStatus(v, op + 18, status(error))
    }
    let frame = Machine.mm!.grantEntry(granter.id, GrantRef(ref))!.frame
    if flags & gntmapHostMap != 0 {
      // PV host mapping: an L1 entry at host_addr, checked by the core like any other.
      let pte = frame.address.raw | (readOnly ? 0x25 : 0x67)
      var failed: HypercallError? = nil
      if ReservedVirtualRanges.overlaps(start: hostAddr, end: hostAddr &+ 1) { failed = .EINVAL }
      else {
        do throws(HypercallError) { try Machine.mm!.updateVaMapping(caller: v.id, va: hostAddr, val: pte) }
        catch { failed = error }
      }
      if let e = failed {
        try? Machine.mm!.grantUnmap(caller: v.id, handle: handle)
        return writeStatus(v, op + 18, e == .EINVAL ? -5 : status(e))   // bad_virt_addr
      }
      arch_invlpg(hostAddr)
    }
    setInUseFlags(granter, ref)
    return GuestCopy.writeU32(v, op + 20, handle.raw) && GuestCopy.writeU64(v, op + 24, frame.address.raw)
      && writeStatus(v, op + 18, 0)
  }

  /// gnttab_unmap_grant_ref { host_addr u64, dev_bus_addr u64 @8, handle u32 @16, status i16 @20 }.
  static func unmap(_ v: VCPU, _ op: UInt64) -> Bool {
    guard let hostAddr = GuestCopy.readU64(v, op), let handle = GuestCopy.readU32(v, op + 16) else { return false }
    // A refusal must change nothing: check the handle before touching the PTE.
    guard let m = Machine.mm!.grantMapping(caller: v.id, handle: GrantHandle(handle)) else {
      return writeStatus(v, op + 20, -4)   // bad_handle (a double unmap, XSA-224)
    }
    var restore: UInt64? = nil
    if hostAddr != 0 && !ReservedVirtualRanges.overlaps(start: hostAddr, end: hostAddr &+ 1),
      let old = Machine.mm!.l1Entry(caller: v.id, va: hostAddr), old & 1 != 0,
      (old & 0x000F_FFFF_FFFF_F000) >> 12 == m.frame.raw
    {
      if (try? Machine.mm!.updateVaMapping(caller: v.id, va: hostAddr, val: 0)) != nil { restore = old }
      arch_invlpg(hostAddr)
    }
    do throws(HypercallError) {
      try Machine.mm!.grantUnmap(caller: v.id, handle: GrantHandle(handle))
    } catch {
      if let old = restore { try? Machine.mm!.updateVaMapping(caller: v.id, va: hostAddr, val: old) }
      return writeStatus(v, op + 20, status(error))
    }
    if let granter = Machine.domain(m.granter), granter.isAlive { setInUseFlags(granter, m.ref.raw) }
    return writeStatus(v, op + 20, 0)
  }

  /// gnttab_copy { source { ref|gmfn u64, domid u16 @8, offset u16 @10 }, dest @16 (same),
  /// len u16 @32, flags u16 @34, status i16 @36 }.
  static func copyOne(_ v: VCPU, _ op: UInt64) -> Bool {
    guard let sRef = GuestCopy.readU64(v, op), let sDom = GuestCopy.readU16(v, op + 8),
      let sOff = GuestCopy.readU16(v, op + 10), let dRef = GuestCopy.readU64(v, op + 16),
      let dDom = GuestCopy.readU16(v, op + 24), let dOff = GuestCopy.readU16(v, op + 26),
      let len = GuestCopy.readU16(v, op + 32), let flags = GuestCopy.readU16(v, op + 34)
    else { return false }
    guard UInt32(sOff) + UInt32(len) <= 4096, UInt32(dOff) + UInt32(len) <= 4096 else {
      return writeStatus(v, op + 36, -10)   // bad_copy_arg
    }
    func pointer(_ ref: UInt64, _ dom: UInt16, granted: Bool) -> CopyPointer? {
      if granted {
        guard let g = Machine.domain(DomID(dom)), g.isAlive else { return nil }
        sync(g, UInt32(truncatingIfNeeded: ref))
        return .granted(granter: g.id, ref: GrantRef(UInt32(truncatingIfNeeded: ref)))
      }
      guard Hypercalls.isSelf(v, UInt64(dom)) else { return nil }
      return .local(MFN(ref))
    }
    guard let src = pointer(sRef, sDom, granted: flags & gntcopySourceGref != 0),
      let dst = pointer(dRef, dDom, granted: flags & gntcopyDestGref != 0)
    else { return writeStatus(v, op + 36, -2) }
    do throws(HypercallError) {
      let (s, d) = try Machine.mm!.grantCopyFrames(caller: v.id, source: src, dest: dst)
      let from = MachineBytes.pointer(s.address.raw + UInt64(sOff))
      let to = MachineBytes.pointer(d.address.raw + UInt64(dOff))
      for i in 0..<Int(len) { to[i] = from[i] }
    } catch {
      return writeStatus(v, op + 36, status(error))
    }
    return writeStatus(v, op + 36, 0)
  }
}
