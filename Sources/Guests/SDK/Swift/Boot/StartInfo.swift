/// A read-only view of the start_info page the domain builder hands to `_start` in rsi.
import GuestArch

struct StartInfo {
  /// The start_info page. It stays mapped for the life of the guest.
  let raw: UnsafePointer<xen_start_info>

  /// Wraps the builder's start_info. `address` must be the rsi value `_start` received.
  init(unsafeAddress address: UnsafeRawPointer) {
    raw = address.assumingMemoryBound(to: xen_start_info.self)
  }

  /// "xen-3.0-x86_64": the builder's ABI magic.
  var magic: String { cString(UnsafeRawPointer(guest_start_info_magic(raw)), max: 32) }
  /// Pages allocated to this domain.
  var nrPages: UInt64 { raw.pointee.nr_pages }
  /// MACHINE address of the shared_info page (map it with `SharedInfo.map`).
  var sharedInfoMachineAddress: UInt64 { raw.pointee.shared_info }
  /// SIF_* flags.
  var flags: UInt32 { raw.pointee.flags }
  /// True for the initial (control) domain: dom0 on Xen.
  var isInitialDomain: Bool { flags & UInt32(XEN_SIF_INITDOMAIN) != 0 }
  /// The xenstore ring's MFN and event channel (domU only; 0 for dom0).
  var storeMFN: UInt64 { raw.pointee.store_mfn }
  var storeEventChannel: UInt32 { raw.pointee.store_evtchn }
  /// The PV console ring's MFN and event channel (domU only; dom0 uses console_io).
  var consoleMFN: UInt64 { isInitialDomain ? 0 : raw.pointee.console.domU.mfn }
  var consoleEventChannel: UInt32 { isInitialDomain ? 0 : raw.pointee.console.domU.evtchn }
  /// VIRTUAL address of the top-level (L4) page table, and how many bootstrap table frames.
  var pageTableBase: UInt64 { raw.pointee.pt_base }
  var nrPageTableFrames: UInt64 { raw.pointee.nr_pt_frames }
  /// The P->M list: entry `pfn` is the MFN backing pseudo-physical frame `pfn`.
  var mfnList: UnsafeBufferPointer<UInt64> {
    UnsafeBufferPointer(
      start: UnsafePointer(bitPattern: UInt(raw.pointee.mfn_list)), count: Int(raw.pointee.nr_pages))
  }
  /// The command line the builder passed (Xen: dom0's module string, image name removed).
  var commandLine: String { cString(UnsafeRawPointer(guest_start_info_cmdline(raw)), max: 1024) }

  /// The value of `key=value` on the command line, if present.
  func option(_ key: String) -> Substring? {
    let words = commandLine.split(separator: " ")
    for w in words {
      if w.hasPrefix(key + "=") { return w.dropFirst(key.utf8.count + 1) }
    }
    return nil
  }

  /// The value of `key=N` as an integer (decimal, or hex with 0x), or `fallback` when absent
  /// or malformed.
  func number(_ key: String, default fallback: UInt64) -> UInt64 {
    guard let v = option(key) else { return fallback }
    if v.hasPrefix("0x") { return UInt64(String(v.dropFirst(2)), radix: 16) ?? fallback }
    return UInt64(String(v)) ?? fallback
  }

  private func cString(_ p: UnsafeRawPointer, max: Int) -> String {
    let bytes = UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: max)
    return String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
  }
}
