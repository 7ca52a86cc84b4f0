import KernelArch

/// Builds a PV domain from a boot module, the way Xen's PV domain builder does: frames from
/// the memory manager, the ELF image copied in, the p2m list, start_info, bootstrap page
/// tables (validated and pinned by the core before the guest can run on them), the hypercall
/// page, and a vCPU entering at the ELF entry point in ring 3.
enum DomainBuilder {
  enum Failure: Error {
    case image(GuestImageError)
    case layout(DomainLayout.Failure)
    case core(HypercallError)
    case noReserveFrames
  }

  /// Pages a domain may hold beyond its configured memory: shared_info and up to four grant frames.
  static let extraPages = 1 + 4

  static let pteUserRW: UInt64 = 0x67      // present, writable, user, accessed, dirty
  static let pteUserRO: UInt64 = 0x25      // present, user, accessed
  static let tableFlags: UInt64 = 0x27     // present, writable, user, accessed

  static func build(module: BootModule, id: DomID, config: DomainConfig) throws(Failure) -> Domain {
    let reader = KernelPhysicalReader()
    let image: GuestImage
    do throws(GuestImageError) {
      image = try GuestImage.parse(reader: reader, base: module.start, length: module.end - module.start)
    } catch { throw .image(error) }
    let pages = config.pages
    let layout: DomainLayout
    do throws(DomainLayout.Failure) {
      layout = try DomainLayout.plan(imageStart: image.imageStart, imageEnd: image.imageEnd, moduleLength: 0, pages: pages)
    } catch { throw .layout(error) }

    let builder = VCPUID(.dom0, 0)
    let vcpu0 = VCPUID(id, 0)
    var frames: [MFN] = []
    do throws(HypercallError) {
      if id != .dom0 {
        _ = try Machine.sched.checkDomainCreate(caller: builder, domain: id, vcpus: Int(config.vcpus))
        try Machine.mm!.domainCreate(caller: builder, domain: id, maxPages: Int(pages) + extraPages, vcpus: Int(config.vcpus))
        try Machine.sched.domainCreate(caller: builder, domain: id, vcpus: Int(config.vcpus))
      }
      frames = try Machine.mm!.populatePhysmap(caller: vcpu0, count: Int(pages) + 1)
    } catch { throw .core(error) }
    // Frames never used since boot may hold anything: the guest must learn nothing from them.
    var memory = DirectMapMemory()
    for f in frames { memory.zeroFrame(f) }
    let sharedInfoFrame = frames.removeLast()
    try? Machine.mm!.hypervisorGetPage(sharedInfoFrame, for: id)
    let domain = Domain(id: id, config: config, sharedInfoFrame: sharedInfoFrame)
    domain.pages = frames

    func bytes(at va: UInt64) -> UnsafeMutablePointer<UInt8> {
      let pfn = Int((va - layout.virtualStart) >> 12)
      return MachineBytes.pointer(frames[pfn].address.raw + (va & 0xFFF))
    }

    // The image: file bytes of each PT_LOAD segment (the rest is already zero).
    for s in image.segments {
      var i: UInt64 = 0
      while i < s.fileSize {
        let va = s.virtualAddress + i
        let chunk = min(s.fileSize - i, 0x1000 - (va & 0xFFF))
        let dst = bytes(at: va)
        let src = MachineBytes.pointer(module.start + s.fileOffset + i)
        for k in 0..<Int(chunk) { dst[k] = src[k] }
        i += chunk
      }
    }

    // The p2m list and the core's M2P table.
    for (pfn, mfn) in frames.enumerated() {
      let va = layout.p2mStart + UInt64(pfn) * 8
      UnsafeMutableRawPointer(bytes(at: va)).storeBytes(of: mfn.raw, as: UInt64.self)
      try? Machine.mm!.mmuUpdateOne(caller: vcpu0, .machphys(mfn, pfn: UInt64(pfn)))
    }

    writeStartInfo(bytes(at: layout.startInfo), layout: layout, pages: pages, domain: domain, privileged: id == .dom0)

    // Bootstrap page tables, mapping [virtualStart, virtualEnd) to pfns 0, 1, 2, ...
    let firstTablePFN = Int((layout.pageTablesStart - layout.virtualStart) >> 12)
    var nextTable = firstTablePFN
    func newTable() -> MFN {
      let f = frames[nextTable]
      nextTable += 1
      return f
    }
    let l4 = newTable()
    let tableRange = firstTablePFN..<(firstTablePFN + Int(layout.pageTableCount))
    var pfn = 0
    var va = layout.virtualStart
    while va < layout.virtualEnd {
      var table = l4
      for shift in [UInt64(39), 30, 21] {
        let index = Int((va >> shift) & 511)
        var e = memory.readEntry(frame: table, index: index)
        if e & 1 == 0 {
          let t = newTable()
          e = t.address.raw | tableFlags
          memory.writeEntry(frame: table, index: index, value: e)
        }
        table = MFN((e & 0x000F_FFFF_FFFF_F000) >> 12)
      }
      let flags = tableRange.contains(pfn) ? pteUserRO : pteUserRW
      memory.writeEntry(frame: table, index: Int((va >> 12) & 511), value: frames[pfn].address.raw | flags)
      pfn += 1
      va += 0x1000
    }

    // The core validates the whole tree and takes the references; only then may it be CR3.
    do throws(HypercallError) {
      try Machine.mm!.mmuextOpOne(caller: vcpu0, .pinTable(level: 4, l4))
      try Machine.mm!.mmuextOpOne(caller: vcpu0, .newBaseptr(l4))
    } catch { throw .core(error) }
    HypervisorSlots.install(in: l4)

    if let hp = image.hypercallPage { HypercallPage.write(bytes(at: hp)) }

    for i in 0..<Int(config.vcpus) {
      let v = VCPU(domain: domain, index: i, root: l4)
      if i == 0 {
        v.frame.pointee.rip = image.entry
        v.frame.pointee.rsp = layout.stackTop
        v.frame.pointee.rsi = layout.startInfo
      } else {
        v.blocked = true   // secondary vCPUs start when the guest brings them up (VCPUOP_up)
      }
      v.frame.pointee.cs = UInt64(Descriptors.guestCode64)
      v.frame.pointee.ss = UInt64(Descriptors.guestData)
      v.frame.pointee.rflags = 0x202
      v.upcallMask = true   // Xen starts a PV guest with event delivery masked
      domain.vcpus.append(v)
    }
    return domain
  }

  /// start_info (xen/xen.h struct start_info, x86-64 offsets).
  static func writeStartInfo(
    _ p: UnsafeMutablePointer<UInt8>, layout: DomainLayout, pages: UInt64, domain: Domain, privileged: Bool
  ) {
    let raw = UnsafeMutableRawPointer(p)
    for (i, c) in "xen-3.0-x86_64".utf8.enumerated() { p[i] = c }
    raw.storeBytes(of: pages, toByteOffset: 32, as: UInt64.self)                       // nr_pages
    raw.storeBytes(of: domain.sharedInfoFrame.address.raw, toByteOffset: 40, as: UInt64.self)  // shared_info
    raw.storeBytes(of: UInt32(privileged ? 3 : 0), toByteOffset: 48, as: UInt32.self)  // SIF_PRIVILEGED|SIF_INITDOMAIN
    raw.storeBytes(of: layout.pageTablesStart, toByteOffset: 88, as: UInt64.self)      // pt_base
    raw.storeBytes(of: layout.pageTableCount, toByteOffset: 96, as: UInt64.self)       // nr_pt_frames
    raw.storeBytes(of: layout.p2mStart, toByteOffset: 104, as: UInt64.self)            // mfn_list
    for (i, c) in domain.config.guestCommandLine.prefix(1023).enumerated() { p[128 + i] = c }  // cmd_line
    let firstP2M = (layout.p2mStart - layout.virtualStart) >> 12
    raw.storeBytes(of: firstP2M, toByteOffset: 1152, as: UInt64.self)                 // first_p2m_pfn
    raw.storeBytes(of: (layout.startInfo - layout.p2mStart) >> 12, toByteOffset: 1160, as: UInt64.self)
  }
}

/// The hypercall page: a 32-byte stub per hypercall number, as Xen writes it for 64-bit PV
/// guests. `push %rcx; push %r11` keep the two registers SYSCALL clobbers; iret's stub also
/// pushes %rax and never returns (HYPERVISOR_iret reads that frame).
enum HypercallPage {
  static func write(_ page: UnsafeMutablePointer<UInt8>) {
    for i in 0..<Hypercall.pageSlots {
      let p = page + i * 32
      let n = UInt32(i)
      let number: [UInt8] = [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)]
      let stub: [UInt8]
      if UInt64(i) == Hypercall.iret.rawValue {
        stub = [0x51, 0x41, 0x53, 0x50, 0xB8] + number + [0x0F, 0x05]
      } else {
        stub = [0x51, 0x41, 0x53, 0xB8] + number + [0x0F, 0x05, 0x41, 0x5B, 0x59, 0xC3]
      }
      for k in 0..<32 { p[k] = k < stub.count ? stub[k] : 0xCC }   // int3 padding
    }
  }
}

/// The hypervisor's PML4 entries copied into a guest L4: image slot 255 and direct-map slot
/// 262 supervisor-only, so traps and hypercalls find the kernel mapped under the guest's CR3;
/// slot 256 the read-only M2P table Xen PV guests read.
/// The core refuses guest updates to these slots (docs/decisions/notes-mm.md).
enum HypervisorSlots {
  static let slots = [KernelMemory.imageSlot, Machine.m2pSlot, DirectMap.directMapSlot]

  /// Every reserved slot is rewritten: ours get the hypervisor's entries, the rest of Xen's
  /// hole is cleared. The core does not validate entries in these slots, so a value a guest left
  /// there before pinning must never survive into a page table the CPU walks.
  static func install(in l4: MFN) {
    let root = KernelMemory.unsafeTable(MFN(Machine.hypervisorRoot >> 12))
    let guest = KernelMemory.unsafeTable(l4)
    for s in ReservedVirtualRanges.reservedSlots { guest[s] = slots.contains(s) ? root[s] : 0 }
  }

  static func remove(from l4: MFN) {
    let guest = KernelMemory.unsafeTable(l4)
    for s in ReservedVirtualRanges.reservedSlots { guest[s] = 0 }
  }
}
