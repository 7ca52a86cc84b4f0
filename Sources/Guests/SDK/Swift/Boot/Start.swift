/// Start of day: from `_start` (start.S) to the guest's `guestMain`, then shutdown.
///
/// Every guest defines `func guestMain(_ boot: StartInfo)` in its own sources; the SDK and the
/// guest are one `swiftc -wmo` module, so the call resolves at compile time.
///
/// After `guestMain` returns, the SDK shuts the domain down with the reason named by
/// `shutdown=` on the command line (`poweroff` by default, or `reboot`). On Xen, dom0's
/// poweroff halts the machine forever, so the Xen runner passes `shutdown=reboot` to make QEMU
/// (-no-reboot) exit (docs/guests.md).
@_cdecl("sdk_start")
func sdkStart(_ startInfo: UnsafeRawPointer) {
  let boot = StartInfo(unsafeAddress: startInfo)
  guestMain(boot)
  Sched.shutdown(shutdownReason(boot))
}

/// The shutdown reason the command line asks for.
func shutdownReason(_ boot: StartInfo) -> ShutdownReason {
  switch boot.option("shutdown") {
  case "reboot": .reboot
  case "crash": .crash
  default: .poweroff
  }
}
