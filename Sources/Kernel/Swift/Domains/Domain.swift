/// A PV domain as the kernel sees it. Memory state (frames, types, grants) lives in the core's
/// `MemoryManager`; this holds what only the kernel needs: vCPUs, the shared_info page, the
/// console line buffer, and how the domain ended.
final class Domain {
  enum State: Equatable { case running, shutdown(reason: UInt64), crashed }

  let id: DomID
  let config: DomainConfig
  var state: State = .running
  var vcpus: [VCPU] = []
  /// shared_info, hypervisor-referenced, reached through the direct map.
  let sharedInfoFrame: MFN
  let sharedInfo: UnsafeMutableRawPointer
  /// Pages handed to the domain at build time (its p2m).
  var pages: [MFN] = []
  /// Grant-table frames (GNTTABOP_setup_table), domain-owned and hypervisor-referenced.
  var grantFrames: [MFN] = []
  /// Console output not yet ended by a newline.
  var consoleLine: [UInt8] = []

  init(id: DomID, config: DomainConfig, sharedInfoFrame: MFN) {
    self.id = id
    self.config = config
    self.sharedInfoFrame = sharedInfoFrame
    sharedInfo = UnsafeMutableRawPointer(MachineBytes.pointer(sharedInfoFrame.address.raw))
  }

  var name: [UInt8] { config.name }
  var isAlive: Bool { state == .running }

  /// Appends guest console bytes; each completed line is printed as `[name] line`.
  func console(_ byte: UInt8) {
    if byte == 10 || consoleLine.count >= 256 {
      flushConsole()
      if byte == 10 { return }
    }
    if byte == 13 { return }
    // Control characters other than tab would let a guest forge other domains' lines.
    consoleLine.append(byte >= 0x20 || byte == 9 ? byte : UInt8(ascii: "?"))
  }

  func flushConsole() {
    Console.write("[")
    Console.write(bytes: name)
    Console.write("] ")
    Console.write(bytes: consoleLine)
    Console.newline()
    consoleLine.removeAll(keepingCapacity: true)
  }
}
