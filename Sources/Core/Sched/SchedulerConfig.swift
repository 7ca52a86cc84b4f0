// Sizes and timings of the credit scheduler. The timing fields mirror the Spec's `SpecConfig`
// (same names, same defaults) so a differential test builds both from one description; the
// capacity fields size the core's fixed tables, which are allocated once in `Scheduler.init`.

/// Timings (Xen credit1 defaults) and table sizes of the credit scheduler.
///
/// Time is counted in ticks: nothing here is in nanoseconds, so the kernel is free to drive
/// `Scheduler.tick()` from whatever periodic timer fires every `tickMs` milliseconds.
public struct SchedulerConfig: Equatable, Sendable {
  /// Number of physical CPUs (one `running` slot and one slice counter each).
  public var pcpus: Int = 1
  /// Number of vCPUs dom0 is created with at boot.
  public var dom0VCPUs: Int = 1
  /// Largest vCPU count `domainCreate` accepts (also the vCPU slots reserved per domain slot).
  public var maxVCPUsPerDomain: Int = 4
  /// Length of a tick in milliseconds (Xen credit1: 10 ms), 1...1000: the kernel's timer
  /// period (`sched-tick-ms=`); the scheduler itself only counts ticks.
  public var tickMs: Int = 10
  /// Ticks a vCPU may run before an equal-priority vCPU gets its turn (Xen: 30 ms = 3 ticks;
  /// kernel command line `sched-slice=`).
  public var ticksPerSlice: Int = 3
  /// Ticks between two credit accountings (Xen: 30 ms = 3 ticks; `sched-account=`).
  public var ticksPerAccount: Int = 3
  /// Credits the running vCPU pays per tick (Xen: 10 per ms, so 100 per 10 ms tick).
  public var creditsPerTick: Int = 100
  /// Weight of a new vCPU (Xen default 256).
  public var defaultWeight: Int = 256
  /// Domain slots (live domains at once, dom0 included). The Spec has no such bound: creating
  /// one more is refused with ENOMEM, a documented divergence (as in `MMConfig.maxDomains`).
  public var maxDomains: Int = 32

  /// Credits one pCPU provides per accounting period (Spec `creditsPerAccount`).
  public var creditsPerAccount: Int { creditsPerTick * ticksPerAccount }
  /// Credits are clamped to `-creditBound...creditBound` (Spec `creditBound`, `creditBounds`).
  public var creditBound: Int { creditsPerAccount }
  /// vCPU slots: `maxDomains * maxVCPUsPerDomain`, one fixed block per domain slot.
  public var vcpuCapacity: Int { maxDomains * maxVCPUsPerDomain }

  /// The default configuration (the Spec's defaults: 1 pCPU, Xen credit1 timings).
  public init() {}

  /// Whether every field is in range. The bounds keep every product the scheduler forms far
  /// from overflow: `creditsPerAccount * pcpus * 65535 < 2^56` (accounting's `earned`),
  /// `100 * ticksPerAccount < 2^31` (cap budgets), and slot indices fit the 32-bit links.
  public var isValid: Bool {
    pcpus >= 1 && pcpus <= 1024
      && maxVCPUsPerDomain >= 1 && maxVCPUsPerDomain <= 1024
      && dom0VCPUs >= 1 && dom0VCPUs <= maxVCPUsPerDomain
      && tickMs >= 1 && tickMs <= 1000
      && ticksPerSlice >= 1 && ticksPerSlice <= 1 << 20
      && ticksPerAccount >= 1 && ticksPerAccount <= 1 << 20
      && creditsPerTick >= 0 && creditsPerTick <= 1 << 20
      && creditsPerAccount <= 1 << 30
      && defaultWeight >= 1 && defaultWeight <= 65535
      && maxDomains >= 1 && maxDomains <= 65535
      && vcpuCapacity <= 1 << 24
  }
}
