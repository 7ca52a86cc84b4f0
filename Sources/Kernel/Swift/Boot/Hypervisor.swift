import KernelArch

/// From boot modules to running domains: one domain per module (the first is dom0), built,
/// then run until every domain has ended. The run's exit status says whether every domain
/// powered off cleanly.
enum Hypervisor {
  static func start(_ bootInfo: BootInfo, allocator: inout FrameAllocator) -> Never {
    // A console font travels as a module too; every other module is a domain.
    var boot = bootInfo
    boot.modules = bootInfo.modules.filter { !Platform.isFontModule($0) }
    // No tick may run the scheduler while the builder is changing it.
    arch_cli()
    var configs: [DomainConfig] = []
    for (i, m) in boot.modules.enumerated() {
      do throws(DomainConfig.Failure) {
        configs.append(try DomainConfig.parse(moduleString: m.string, index: i))
      } catch {
        Console.write("[error] config: module ")
        Console.writeDecimal(UInt64(i))
        Console.write(": ")
        switch error {
        case .unknownKey(let k): Console.write("unknown key "); Console.write(bytes: k)
        case .badValue(let k): Console.write("bad value for "); Console.write(bytes: k)
        case .outOfRange(let k): Console.write("value out of range for "); Console.write(bytes: k)
        }
        Console.newline()
        fail()
      }
    }
    for i in configs.indices where configs[i].vcpus > 1 {
      Log.warn("config: \(String(decoding: configs[i].name, as: UTF8.self)): one vCPU per domain for now (asked for \(configs[i].vcpus))")
      configs[i].vcpus = 1
    }
    let schedConfig = schedulerConfig(boot)
    Machine.sched = Scheduler(config: schedConfig)
    Timer.start(ms: UInt64(schedConfig.tickMs))
    Log.info("sched: credit scheduler, tick \(schedConfig.tickMs) ms, slice \(schedConfig.ticksPerSlice) ticks, accounting every \(schedConfig.ticksPerAccount) ticks, \(schedConfig.pcpus) pCPU")
    guard Machine.boot(boot, allocator: &allocator, dom0Pages: Int(configs[0].pages) + DomainBuilder.extraPages, maxVCPUs: 4) else { fail() }
    Timers.bootTSC = arch_rdtsc()

    for (i, m) in boot.modules.enumerated() {
      let id = DomID(UInt16(i))
      do throws(DomainBuilder.Failure) {
        let d = try DomainBuilder.build(module: m, id: id, config: configs[i])
        Machine.domains.append(d)
        Events.channels.register(id)
        // The boot configuration speaks with dom0's authority (XEN_DOMCTL_SCHEDOP_putinfo).
        let control = VCPUID(.dom0, 0)
        try? Machine.sched.setWeight(caller: control, target: id, weight: Int(configs[i].weight))
        try? Machine.sched.setCap(caller: control, target: id, cap: Int(configs[i].cap))
        if id != .dom0 { try? Machine.sched.domainUnpause(caller: control, target: id) }
        Console.write("[info] domain ")
        Console.write(bytes: d.name)
        Console.write(": built as dom")
        Console.writeDecimal(UInt64(i))
        Console.write(", ")
        Console.writeDecimal(configs[i].pages)
        Console.write(" pages, weight ")
        Console.writeDecimal(UInt64(configs[i].weight))
        Console.newline()
      } catch {
        Console.write("[error] domain ")
        Console.write(bytes: configs[i].name)
        Console.write(": cannot build: ")
        switch error {
        case .image(let e): Console.write("bad image "); describe(e)
        case .layout: Console.write("memory too small for the image and its bootstrap tables")
        case .core(let e): Console.write("core refused (errno "); Console.writeDecimal(UInt64(e.rawValue)); Console.write(")")
        case .noReserveFrames: Console.write("out of hypervisor frames")
        }
        Console.newline()
        fail()
      }
    }

    if let n = decimalOption(boot, "check-invariants") {
      InvariantChecks.every = max(n, 1)
      InvariantChecks.from = decimalOption(boot, "check-from") ?? 0
      Log.info("debug: core invariants re-checked every \(InvariantChecks.every) hypercalls")
      InvariantChecks.checkNow()
    }
    let clean = Run.run()
    if InvariantChecks.every > 0 {
      InvariantChecks.checkNow()
      Log.info("debug: \(InvariantChecks.checks) invariant checks over \(InvariantChecks.hypercalls) hypercalls, all held")
    }
    arch_cli()
    arch_write_cr3(Machine.hypervisorRoot)
    if clean {
      Log.info("bulkhead: all domains powered off; exiting with success")
      exitQEMU(.success)
    }
    Log.error("bulkhead: a domain crashed or did not power off; exiting with failure")
    exitQEMU(.failure)
  }

  static func describe(_ e: GuestImageError) {
    switch e {
    case .notELF64: Console.write("(not an x86-64 ELF64 file)")
    case .notExecutable: Console.write("(not ET_EXEC)")
    case .truncated(let o): Console.write("(truncated at "); Console.writeHex(o); Console.write(")")
    case .badSegment(let i): Console.write("(bad segment "); Console.writeDecimal(UInt64(i)); Console.write(")")
    case .segmentCount(let n): Console.write("(segment count "); Console.writeDecimal(UInt64(n)); Console.write(")")
    case .overlapsHypervisor(let a): Console.write("(maps hypervisor space at "); Console.writeHex(a); Console.write(")")
    case .noXenNotes: Console.write("(no Xen ELF notes: not a PV kernel)")
    case .entryOutsideImage(let a): Console.write("(entry "); Console.writeHex(a); Console.write(" outside the image)")
    case .badHypercallPage(let a): Console.write("(hypercall page "); Console.writeHex(a); Console.write(")")
    case .tooLarge(let n): Console.write("(too large: "); Console.writeDecimal(n); Console.write(" bytes)")
    }
  }

  static func fail() -> Never {
    Log.error("bulkhead: exiting with failure")
    exitQEMU(.failure)
  }

  /// The scheduler's configuration: one pCPU (only the boot CPU runs), Xen's timings unless
  /// the command line sets `sched-tick-ms=`, `sched-slice=` or `sched-account=` (ticks).
  /// A configuration `SchedulerConfig.isValid` refuses is reported and replaced by the defaults.
  static func schedulerConfig(_ boot: BootInfo) -> SchedulerConfig {
    var c = SchedulerConfig()
    c.pcpus = 1
    c.dom0VCPUs = 1
    c.maxDomains = 16
    var asked = c
    if let v = decimalOption(boot, "sched-tick-ms") { asked.tickMs = Int(truncatingIfNeeded: min(v, 1 << 40)) }
    if let v = decimalOption(boot, "sched-slice") { asked.ticksPerSlice = Int(truncatingIfNeeded: min(v, 1 << 40)) }
    if let v = decimalOption(boot, "sched-account") { asked.ticksPerAccount = Int(truncatingIfNeeded: min(v, 1 << 40)) }
    guard asked.isValid else {
      Log.warn("sched: sched-tick-ms= (1...1000), sched-slice= or sched-account= (1...1048576) out of range; using the defaults")
      return c
    }
    return asked
  }
}
