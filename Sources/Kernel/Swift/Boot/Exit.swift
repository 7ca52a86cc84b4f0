import KernelArch

/// How the kernel ends a QEMU run: a write to isa-debug-exit (port 0xF4), which makes
/// QEMU exit with status (value << 1) | 1. On real hardware the write does nothing, so we
/// halt afterwards. Values: docs/decisions/0002-exit-status.md.
enum GuestExitCode: UInt32 {
  case success = 0x10
  case failure = 0x11
  case panic = 0x12
}

func exitQEMU(_ code: GuestExitCode) -> Never {
  arch_outl(0xF4, code.rawValue)
  while true {
    arch_cli()
    arch_hlt()
  }
}

/// Ends the run after an unrecoverable error, with a last line saying why.
func panic(_ why: StaticString) -> Never {
  Console.write("[fatal] panic: ")
  Console.write(why)
  Console.newline()
  Console.write("[fatal] bulkhead: exiting with panic\n")
  exitQEMU(.panic)
}
