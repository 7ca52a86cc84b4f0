import KernelArch

/// The kernel's entry from boot.S: long mode, higher half, boot stack, interrupts off.
/// `magic` and `info` are what the Multiboot loader left in EAX and EBX.
@_cdecl("kmain")
func kmain(_ magic: UInt64, _ info: UInt64) -> Never {
  Serial.initialize()
  Console.write("\n")
  checkImageFitsInRAM(magic: magic, info: info)
  Log.info("bulkhead: Bulkhead hypervisor, Embedded Swift kernel")
  Descriptors.install()
  Log.info("cpu: GDT, TSS and IDT installed (256 vectors)")

  let boot = readBootInfo(magic: magic, info: info)
  if boot.hasOption("loglevel=debug") { Log.threshold = .debug }
  var allocator = buildFrameAllocator(boot)
  let nx = arch_cpuid(0x8000_0001, 0).edx & (1 << 20) != 0
  do throws(DirectMap.Failure) {
    let mapped = try DirectMap.install(memoryMap: boot.memoryMap, allocator: &allocator, nx: nx)
    Log.info("mm: direct map of \(mapped >> 30) GiB at \(hex(KernelMemory.directMapBase)), identity map removed")
  } catch {
    panic("mm: cannot build the direct map (out of low frames)")
  }
  Log.info("mm: \(allocator.freeCount) frames free (\(allocator.freeCount >> 8) MiB)")

  let report = SelfCheck.run()
  if report.allPassed {
    Log.info("selfcheck: core PASS (\(report.total) checks)")
  } else {
    for name in report.failures {
      Console.write("[error] selfcheck: FAILED ")
      Console.write(name)
      Console.newline()
    }
    Log.error("selfcheck: core FAIL (\(report.passed)/\(report.total) passed)")
    Log.error("bulkhead: exiting with failure")
    exitQEMU(.failure)
  }

  LegacyPIC.remapAndMask()
  LAPIC.enable()
  do throws(Timer.Failure) {
    try Timer.calibrate()
  } catch {
    panic("timer: calibration failed (PIT or LAPIC timer not counting)")
  }
  Log.info("timer: lapic calibrated, \(Timer.lapicCountsPerTick) counts per 10 ms, TSC \(Timer.tscPerSecond / 1_000_000) MHz")
  Timer.start()

  Platform.initialize(boot)
  if boot.hasOption("selftest") { SelfTest.run(boot, allocator: &allocator) }
  PanicTests.runIfRequested(boot)

  if let probe = Ring3Probe.run(allocator: &allocator) {
    Log.info("ring3: syscall+sysret floor \(probe.floorCycles) cycles, full hypercall path \(probe.fullPathCycles) cycles (TSC, mean of \(Ring3Probe.iterations))")
  } else {
    Log.error("ring3: no frames for the ring-3 probe")
  }

  if boot.modules.contains(where: { !Platform.isFontModule($0) }) { Hypervisor.start(boot, allocator: &allocator) }

  let target = decimalOption(boot, "ticks") ?? 10
  var next: UInt64 = 1
  while next <= target {
    Timer.wait(untilTick: next)
    Log.info("timer: \(Timer.ticks) ticks")
    next = next < 4 ? next + 1 : next * 2
    if next > target && Timer.ticks < target { next = target }
  }
  arch_cli()
  Log.info("bulkhead: exiting with success")
  exitQEMU(.success)
}

/// Refuses to go on when RAM ends before the image's .bss (which holds the heap): the first
/// allocation would land in nothing. Runs before anything allocates.
func checkImageFitsInRAM(magic: UInt64, info: UInt64) {
  // GRUB (Multiboot2) allocates the whole load range from the firmware before it jumps here,
  // so only QEMU's Multiboot1 loader, which checks nothing, needs this. (On UEFI the map GRUB
  // passes shows that range as loader-owned, not as available.)
  guard UInt32(truncatingIfNeeded: magic) == Multiboot.magic1 else { return }
  let imageStart = KernelMemory.physical(ofImage: arch_image_start())
  let imageEnd = KernelMemory.physical(ofImage: arch_image_end())
  let fits = Multiboot.rangeIsAvailable(
    magic: UInt32(truncatingIfNeeded: magic), info: info, reader: KernelPhysicalReader(), start: imageStart, end: imageEnd)
  if fits == false {
    Console.write("[error] mm: the kernel image with its heap needs RAM up to ")
    Console.writeHex(imageEnd)
    Console.write(", which the memory map does not provide; give the machine more memory\n")
    Console.write("[error] bulkhead: exiting with failure\n")
    exitQEMU(.failure)
  }
}

/// Parses the loader's block, or explains on serial why it cannot and exits with failure.
func readBootInfo(magic: UInt64, info: UInt64) -> BootInfo {
  do throws(BootInfoError) {
    let boot = try Multiboot.parse(magic: UInt32(truncatingIfNeeded: magic), info: info, reader: KernelPhysicalReader())
    let proto = boot.bootProtocol == .multiboot1 ? "multiboot1" : "multiboot2"
    Log.info("boot: \(proto) info at \(hex(info)), \(boot.memoryMap.count) memory regions, \(boot.modules.count) modules")
    Console.write("[info] boot: command line \"")
    Console.write(bytes: boot.commandLine)
    Console.write("\"\n")
    return boot
  } catch {
    Console.write("[error] boot: refusing the boot information: ")
    BootErrorText.write(error)
    Console.newline()
    Log.error("bulkhead: exiting with failure")
    exitQEMU(.failure)
  }
}

/// The frames left after the firmware's reservations, the image, the modules and the info block.
func buildFrameAllocator(_ boot: BootInfo) -> FrameAllocator {
  let imageStart = KernelMemory.physical(ofImage: arch_image_start()) >> 12
  let imageEnd = (KernelMemory.physical(ofImage: arch_image_end()) + 0xFFF) >> 12
  var reserved = [FrameRange(start: imageStart, end: imageEnd)]
  for m in boot.modules { reserved.append(FrameRange(start: m.start >> 12, end: (m.end + 0xFFF) >> 12)) }
  reserved.append(FrameRange(start: boot.infoStart >> 12, end: (boot.infoStart + boot.infoLength + 0xFFF) >> 12))
  let allocator = FrameAllocator(free: UsableMemory.frames(memoryMap: boot.memoryMap, reserved: reserved))
  // Page tables for the direct map, the frame table and at least one small domain.
  let minimumFrames: UInt64 = 2048
  if allocator.freeCount < minimumFrames {
    Log.error("mm: only \(allocator.freeCount) free frames; Bulkhead needs at least \(minimumFrames) (8 MiB) beyond its image")
    Log.error("bulkhead: exiting with failure")
    exitQEMU(.failure)
  }
  return allocator
}

/// `name=123` on the command line, as a number.
func decimalOption(_ boot: BootInfo, _ name: StaticString) -> UInt64? {
  guard let v = boot.optionValue(name), !v.isEmpty else { return nil }
  var n: UInt64 = 0
  for c in v {
    guard c >= 48, c <= 57 else { return nil }
    let (m, o1) = n.multipliedReportingOverflow(by: 10)
    let (s, o2) = m.addingReportingOverflow(UInt64(c - 48))
    if o1 || o2 { return nil }
    n = s
  }
  return n
}

enum BootErrorText {
  static func write(_ e: BootInfoError) {
    switch e {
    case .unknownMagic(let m):
      Console.write("not started by a Multiboot loader (magic ")
      Console.writeHex(UInt64(m))
      Console.write(")")
    case .unreadable(let a):
      Console.write("a field points outside readable memory at ")
      Console.writeHex(a)
    case .noMemoryMap:
      Console.write("the loader gave no memory map")
    case .badLength(let field, let v):
      Console.write("bad length in ")
      Console.write(field)
      Console.write(": ")
      Console.writeHex(v)
    case .malformedTag(let o):
      Console.write("malformed Multiboot2 tag at offset ")
      Console.writeHex(o)
    case .tooManyEntries(let field):
      Console.write("too many entries in ")
      Console.write(field)
    }
  }
}
