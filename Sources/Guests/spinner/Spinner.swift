/// spinner: a CPU-bound guest for the scheduler tests. It counts loop iterations until
/// `ms=` milliseconds of system time (shared_info) have passed, prints
/// `spinner NAME: iterations=N` and powers off. With three spinners of weights 256/512/1024
/// the counts should come out near 1:2:4 under a credit scheduler.
///
/// Args: `name=NAME` (default "spinner"), `ms=N` (default 1000).
/// Hypercalls: update_va_mapping (shared_info), console_io, sched_op (shutdown).
import GuestArch

/// The loop's running value, kept in a global so the work cannot be optimised away.
nonisolated(unsafe) var sink: UInt64 = 0

func guestMain(_ boot: StartInfo) {
  let name = boot.option("name").map(String.init) ?? "spinner"
  let ms = boot.number("ms", default: 1000)
  let shared: SharedInfo
  do throws(XenError) {
    shared = try SharedInfo.map(machineAddress: boot.sharedInfoMachineAddress)
  } catch {
    print("spinner \(name): cannot map shared_info (\(error.text))")
    Sched.shutdown(.crash)
  }
  let start = shared.systemTimeNs()
  let end = start + ms * 1_000_000
  var iterations: UInt64 = 0
  var x: UInt64 = 0x9E37_79B9_7F4A_7C15
  while true {
    // A block of work between clock reads: 1024 xorshift steps.
    for _ in 0..<1024 {
      x ^= x << 13
      x ^= x >> 7
      x ^= x << 17
    }
    iterations += 1024
    sink = x
    if shared.systemTimeNs() >= end { break }
  }
  let elapsed = (shared.systemTimeNs() - start) / 1_000_000
  print("spinner \(name): iterations=\(iterations) ms=\(elapsed)")
}
