import KernelArch

/// Deliberate faults, selected by `panic-test=KIND` on the command line, so hardware-tests
/// can check that each kind of fault produces a readable dump and a failing exit status.
enum PanicTests {
  static func runIfRequested(_ boot: BootInfo) {
    guard let kind = boot.optionValue("panic-test") else { return }
    Log.info("panic-test: triggering \(String(decoding: kind, as: UTF8.self))")
    switch kind {
    case Array("ud2".utf8):
      _ = swiftTrapForPanicTest(index: Int(truncatingIfNeeded: Timer.ticks) + 7)
    case Array("pf".utf8):
      _ = arch_read_u64(0x0000_0000_DEAD_0000)   // lower half: unmapped since DirectMap
    case Array("gp".utf8):
      _ = arch_read_u64(0x8000_0000_0000_0000)   // non-canonical
    case Array("bp".utf8):
      arch_trigger_breakpoint()
    case Array("boot-info".utf8):
      _ = readBootInfo(magic: UInt64(Multiboot.magic2), info: 0x3FFF_FFF8)  // garbage block
    default:
      Log.warn("panic-test: unknown kind; expected ud2, pf, gp, bp or boot-info")
      exitQEMU(.failure)
    }
    panic("panic-test: the fault did not happen")
  }

  /// An out-of-bounds array access: Swift's bounds check traps with `ud2`, and the #UD dump
  /// must name this function.
  @inline(never)
  static func swiftTrapForPanicTest(index: Int) -> Int {
    let table = [1, 2, 3]
    return table[index]
  }
}
