import KernelArch

/// The hardware self-test (`selftest` on the command line, a GRUB menu entry): checks what
/// Bulkhead relies on and prints one machine-readable line per test, XTF style:
///
///     selftest: <name>: SUCCESS|SKIP|FAILURE|ERROR <detail>
///     selftest: result: SUCCESS|FAILURE (N tests, s success, k skip, f failure, e error)
///
/// SKIP means the machine lacks an optional feature; FAILURE means a check ran and failed;
/// ERROR means it could not run. The run exits with success only without FAILURE or ERROR.
enum SelfTest {
  enum Verdict { case success, skip, failure, error }

  nonisolated(unsafe) static var counts = (success: 0, skip: 0, failure: 0, error: 0)

  static func report(_ name: StaticString, _ v: Verdict, _ detail: String = "") {
    Console.write("selftest: ")
    Console.write(name)
    switch v {
    case .success: Console.write(": SUCCESS"); counts.success += 1
    case .skip: Console.write(": SKIP"); counts.skip += 1
    case .failure: Console.write(": FAILURE"); counts.failure += 1
    case .error: Console.write(": ERROR"); counts.error += 1
    }
    if !detail.isEmpty { print(" " + detail) } else { Console.newline() }
  }

  static func feature(_ name: StaticString, _ present: Bool) {
    report(name, present ? .success : .skip, present ? "" : "not supported by this CPU")
  }

  static func run(_ boot: BootInfo, allocator: inout FrameAllocator) -> Never {
    Console.write("selftest: begin bulkhead-selftest 1\n")
    let f = Platform.features
    report("cpu.long_mode", f.longMode ? .success : .failure)
    feature("cpu.nx", f.nx)
    feature("cpu.pcid", f.pcid)
    feature("cpu.smep", f.smep)
    feature("cpu.smap", f.smap)
    feature("cpu.svm", f.svm)
    feature("cpu.npt", f.npt)
    feature("cpu.vmx", f.vmx)
    feature("cpu.ept", f.ept)

    if let acpi = Platform.acpi {
      report("acpi.tables", acpi.tables.contains(Array("APIC".utf8)) ? .success : .failure, "\(acpi.tables.count) tables")
      let enabled = acpi.cpus.filter { $0.enabled }.count
      report("acpi.madt", enabled >= 1 ? .success : .failure, "\(enabled) CPUs, \(acpi.ioapics.count) IOAPIC, LAPIC \(hex(acpi.localAPICAddress))")
    } else {
      report("acpi.tables", .error, "no usable ACPI tables")
      report("acpi.madt", .error, "no MADT")
    }

    pagingChecks(&allocator, nx: f.nx)
    timerChecks()

    if let probe = Ring3Probe.run(allocator: &allocator) {
      report("ring3.roundtrip", probe.fullPathCycles > 0 ? .success : .failure,
             "syscall+sysret \(probe.floorCycles) cycles, hypercall path \(probe.fullPathCycles) cycles")
    } else {
      report("ring3.roundtrip", .error, "no frames")
    }
    let core = SelfCheck.run()
    report("core.selfcheck", core.allPassed ? .success : .failure, "\(core.passed)/\(core.total) checks")

    let c = counts
    let total = c.success + c.skip + c.failure + c.error
    let ok = c.failure == 0 && c.error == 0
    print("selftest: result: \(ok ? "SUCCESS" : "FAILURE") (\(total) tests, \(c.success) success, \(c.skip) skip, \(c.failure) failure, \(c.error) error)")
    if ok { Platform.paint(red: 0, green: 160, blue: 0) } else { Platform.paint(red: 200, green: 0, blue: 0) }
    exitQEMU(ok ? .success : .failure)
  }

  /// Ring 3 must not read supervisor memory, write read-only pages, or execute NX pages.
  static func pagingChecks(_ allocator: inout FrameAllocator, nx: Bool) {
    guard let frames = Ring3Probe.map(allocator: &allocator) else {
      report("paging.user_supervisor", .error, "no frames")
      return
    }
    let code = frames[3]
    func imm64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * $0)) } }
    // movabs rax, [direct map of frame 0x100]
    let readSupervisor = Ring3Probe.expectFault([0x48, 0xA1] + imm64(KernelMemory.directMapBase + 0x10_0000), code: code)
    report("paging.user_supervisor", readSupervisor?.vector == 14 ? .success : .failure, "ring-3 read of the direct map")
    // movabs [codeVA], al
    let writeRO = Ring3Probe.expectFault([0xA2] + imm64(Ring3Probe.codeVA), code: code)
    report("paging.read_only", writeRO?.vector == 14 && (writeRO!.error & 2) != 0 ? .success : .failure, "ring-3 write to a read-only page")
    if nx {
      // movabs rax, stackVA; jmp rax
      let exec = Ring3Probe.expectFault([0x48, 0xB8] + imm64(Ring3Probe.stackVA) + [0xFF, 0xE0], code: code)
      report("paging.nx", exec?.vector == 14 && (exec!.error & 0x10) != 0 ? .success : .failure, "ring-3 execute of an NX page")
    } else {
      report("paging.nx", .skip, "no NX")
    }
    let fine = Ring3Probe.expectFault([0x90], code: code)
    report("paging.control", fine == nil ? .success : .failure, "a harmless ring-3 program raises nothing")
    Ring3Probe.unmap(frames, allocator: &allocator)
  }

  /// The LAPIC tick advances, and (with an HPET) ticks and the TSC agree with the HPET.
  static func timerChecks() {
    let start = Timer.ticks
    Timer.wait(untilTick: start + 5)
    report("timer.lapic", Timer.ticks >= start + 5 ? .success : .failure, "\(Timer.lapicCountsPerTick) counts per 10 ms")
    guard let hpet = Platform.acpi?.hpetAddress, KernelMemory.isMapped(hpet, length: 0x100) else {
      report("timer.accuracy", .skip, "no HPET")
      return
    }
    let base = KernelMemory.virtual(hpet)
    let periodFs = arch_mmio_read64(base) >> 32
    guard periodFs > 0, periodFs <= 100_000_000 else {
      report("timer.accuracy", .error, "HPET period \(periodFs) fs out of range")
      return
    }
    arch_mmio_write64(base + 0x10, arch_mmio_read64(base + 0x10) | 1)
    let t0 = Timer.ticks + 1
    Timer.wait(untilTick: t0)
    let h0 = arch_mmio_read64(base + 0xF0), c0 = arch_rdtsc()
    Timer.wait(untilTick: t0 + 10)
    let h1 = arch_mmio_read64(base + 0xF0), c1 = arch_rdtsc()
    let hpetMicros = (h1 &- h0) * periodFs / 1_000_000_000
    let tscMicros = Timer.tscPerSecond > 0 ? (c1 &- c0) / (Timer.tscPerSecond / 1_000_000) : 0
    // The TSC calibration must agree with the HPET within 10%. Tick delivery is checked more
    // loosely (±35%): under emulation, and with other vCPUs halted, interrupt latency grows
    // with host load, which says nothing about the calibration.
    let tickOK = hpetMicros >= 65_000 && hpetMicros <= 135_000
    let tscOK = tscMicros * 10 >= hpetMicros * 9 && tscMicros * 10 <= hpetMicros * 11
    let detail = "10 ticks = \(hpetMicros) us by HPET, \(tscMicros) us by TSC"
    if tickOK && tscOK {
      report("timer.accuracy", .success, detail)
    } else if Platform.features.underHypervisor {
      // An emulator's TSC follows the host clock while its HPET and LAPIC follow a virtual
      // clock that falls behind under host load: a disagreement there is not a finding.
      report("timer.accuracy", .skip, detail + " (virtual machine: clocks not comparable)")
    } else {
      report("timer.accuracy", .failure, detail)
    }
  }
}
