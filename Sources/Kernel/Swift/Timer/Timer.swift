import KernelArch

/// The periodic tick: the LAPIC timer calibrated against the PIT over a 10 ms window, then
/// firing every `tickMs` milliseconds (the credit scheduler's `SchedulerConfig.tickMs`,
/// 10 ms unless the command line says `sched-tick-ms=`).
enum Timer {
  nonisolated(unsafe) static var ticks: UInt64 = 0
  /// LAPIC timer counts (divided by 16) in the 10 ms calibration window.
  nonisolated(unsafe) static var lapicCountsPerTick: UInt32 = 0
  nonisolated(unsafe) static var tscPerSecond: UInt64 = 0
  /// The tick period in use, in milliseconds.
  nonisolated(unsafe) static var tickMs: UInt64 = 10
  static let tickMicroseconds: UInt64 = 10_000
  static let divideBy16: UInt32 = 0x3

  enum Failure: Error { case pitNeverExpired, lapicDidNotCount }

  /// Measures LAPIC timer counts and TSC cycles over one PIT-timed 10 ms window.
  static func calibrate() throws(Failure) {
    LAPIC.write(LAPIC.Register.timerDivide, divideBy16)
    LAPIC.write(LAPIC.Register.lvtTimer, 1 << 16)                 // masked, one-shot
    PIT.startOneShot(microseconds: tickMicroseconds)
    LAPIC.write(LAPIC.Register.timerInitial, 0xFFFF_FFFF)
    let tsc0 = arch_rdtsc()
    var spins: UInt64 = 0
    while !PIT.expired {
      spins += 1
      if spins > 100_000_000 { throw .pitNeverExpired }   // a broken PIT must not hang boot
    }
    let elapsed = 0xFFFF_FFFF - LAPIC.read(LAPIC.Register.timerCurrent)
    let tsc1 = arch_rdtsc()
    guard elapsed > 0 else { throw .lapicDidNotCount }
    lapicCountsPerTick = elapsed
    tscPerSecond = (tsc1 &- tsc0) * (1_000_000 / tickMicroseconds)
  }

  /// Starts (or re-times) periodic ticks on `Vector.timer`, one every `ms` milliseconds
  /// (1...1000, as `SchedulerConfig.isValid` allows; the count is clamped to 32 bits).
  static func start(ms: UInt64 = 10) {
    tickMs = ms
    let counts = min(UInt64(lapicCountsPerTick) * ms / 10, UInt64(UInt32.max))
    LAPIC.write(LAPIC.Register.timerDivide, divideBy16)
    LAPIC.write(LAPIC.Register.lvtTimer, UInt32(Vector.timer) | (1 << 17))   // periodic
    LAPIC.write(LAPIC.Register.timerInitial, UInt32(max(counts, 1)))
  }

  /// Called from the trap path on every tick.
  static func tick() {
    ticks &+= 1
    LAPIC.endOfInterrupt()
  }

  /// Sleeps (interrupts on, `hlt`) until `ticks` reaches `target`.
  static func wait(untilTick target: UInt64) {
    while ticks < target { arch_sti_hlt() }
  }
}
