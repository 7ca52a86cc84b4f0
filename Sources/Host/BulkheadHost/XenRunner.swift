// Boots a PV guest as dom0 on the real Xen 4.17 from Debian, under QEMU TCG: the reference the
// Bulkhead hypervisor is compared against (docs/guests.md).
import Foundation

/// Why a Xen boot could not be started. A guest failure is not an error: it is in the result.
public enum XenRunError: Error, CustomStringConvertible {
  /// The Debian Xen package is not installed (no compressed image in /boot).
  case xenNotInstalled(package: String, image: String)
  /// `gzip -dc` failed on the image.
  case unpackFailed(String)
  /// QEMU could not be started.
  case qemu(QEMURunError)

  public var description: String {
    switch self {
    case .xenNotInstalled(let package, let image):
      "Xen is not installed: no \(image); install it with `apt-get install \(package)`"
    case .unpackFailed(let why): "could not unpack the Xen image: \(why)"
    case .qemu(let e): e.description
    }
  }
}

/// A Xen serial transcript, split into Xen's own lines and the guest's.
public struct XenTranscript: Sendable {
  /// Every line, carriage returns removed.
  public var lines: [String]

  public init(_ text: String) {
    lines = text.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
      .map(String.init)
  }

  /// Lines Xen printed itself (they start with "(XEN)").
  public var xenLines: [String] { lines.filter { $0.hasPrefix("(XEN)") } }

  /// Lines the guest printed: with guest_loglvl=all, dom0's console_io output reaches the serial
  /// line unprefixed, so these are all non-empty lines that are not Xen's.
  public var guestLines: [String] { lines.filter { !$0.hasPrefix("(XEN)") && !$0.isEmpty } }

  /// Xen's version banner, e.g. "4.17.7 (Debian 4.17.7+13-g2445b30a44-0+deb12u1)", if it got that far.
  public var xenVersion: String? {
    for line in xenLines {
      guard let r = line.range(of: "Xen version ") else { continue }
      let rest = line[r.upperBound...]
      guard let close = rest.range(of: ")") else { return String(rest) }
      return String(rest[..<close.upperBound])
    }
    return nil
  }

  /// What Xen said when dom0 shut down ("Hardware Dom0 shutdown: rebooting machine",
  /// "Hardware Dom0 halted: halting machine", "Hardware Dom0 crashed: ..."), if it did.
  public var dom0Shutdown: String? {
    xenLines.first { $0.contains("Hardware Dom0") }.map { String($0.dropFirst("(XEN) ".count)) }
  }
}

/// One Xen boot: QEMU's result and its transcript, parsed.
public struct XenBootResult: Sendable {
  /// The QEMU run (command, transcript, status, wall time).
  public var boot: BootResult
  /// `boot.transcript`, split into Xen's lines and the guest's.
  public var transcript: XenTranscript

  public init(boot: BootResult) {
    self.boot = boot
    self.transcript = XenTranscript(boot.transcript)
  }

  public var guestLines: [String] { transcript.guestLines }
  public var xenVersion: String? { transcript.xenVersion }
  public var dom0Shutdown: String? { transcript.dom0Shutdown }

  /// True when dom0 shut down by reboot and QEMU (-no-reboot) exited by itself with status 0.
  public var rebootedCleanly: Bool {
    !boot.timedOut && boot.qemuStatus == 0 && (dom0Shutdown?.contains("rebooting machine") ?? false)
  }
}

/// Locates Debian's Xen 4.17, unpacks it, and boots a guest ELF as dom0 under QEMU TCG.
///
/// Xen is a 32-bit multiboot ELF that QEMU's `-kernel` loader boots; the guest goes in as the
/// first multiboot module (`-initrd`), which Xen builds into dom0. The module string after the
/// file name becomes dom0's command line (start_info.cmd_line).
///
/// How the boot ends: dom0 SCHEDOP_shutdown(poweroff) makes Xen *halt* the machine (it spins with
/// interrupts off; QEMU never exits), while SHUTDOWN_reboot makes Xen reset it, and QEMU's
/// `-no-reboot` turns the reset into a clean exit with status 0. So the guest is passed
/// `shutdown=reboot` (the SDK honours it; docs/guests.md).
public struct XenRunner: Sendable {
  /// The Debian package that provides Xen.
  public static let debianPackage = "xen-hypervisor-4.17-amd64"
  /// The gzip'd hypervisor the package installs.
  public static let defaultCompressedImage = "/boot/xen-4.17-amd64.gz"
  /// The dom0 command line that makes a Bulkhead guest end the boot by resetting the machine.
  public static let rebootOnExit = "shutdown=reboot"

  /// Output folder; the unpacked hypervisor goes to `<outDir>/xen/xen`.
  public var outDir: URL
  /// The compressed hypervisor image.
  public var compressedImage: String = XenRunner.defaultCompressedImage
  /// Machine RAM in MiB (Xen + dom0).
  public var memoryMiB: Int = 512
  /// dom0's RAM in MiB (`dom0_mem=`).
  public var dom0MemoryMiB: Int = 64
  /// Seconds before the host kills QEMU. The boot takes about 2.5 s under TCG.
  public var timeoutSeconds: Double = 60
  /// Extra Xen options appended to the Xen command line.
  public var extraXenOptions: [String] = []
  /// Copy the serial console to stdout while it runs.
  public var echoSerial: Bool = false

  public init(outDir: URL) {
    self.outDir = outDir
  }

  /// Whether the Debian Xen package is installed.
  public var isXenInstalled: Bool { FileManager.default.fileExists(atPath: compressedImage) }

  /// The Xen command line: serial console on COM1, all log levels (so dom0's console_io
  /// output is shown), a fixed dom0 size and one dom0 vCPU.
  public var xenCommandLine: String {
    ([
      "console=com1", "com1=115200,8n1", "dom0_mem=\(dom0MemoryMiB)M", "dom0_max_vcpus=1",
      "loglvl=all", "guest_loglvl=all",
    ] + extraXenOptions).joined(separator: " ")
  }

  /// The unpacked hypervisor, `<outDir>/xen/xen`; unpacked again when older than the package's image.
  public func xenImage() throws(XenRunError) -> URL {
    guard isXenInstalled else {
      throw .xenNotInstalled(package: Self.debianPackage, image: compressedImage)
    }
    let fm = FileManager.default
    let out = outDir.appendingPathComponent("xen/xen")
    if let built = modificationDate(out.path), let source = modificationDate(compressedImage), built >= source {
      return out
    }
    do {
      try fm.createDirectory(at: out.deletingLastPathComponent(), withIntermediateDirectories: true)
      let gzip = Process()
      gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
      gzip.arguments = ["-dc", compressedImage]
      _ = fm.createFile(atPath: out.path, contents: nil)
      let handle = try FileHandle(forWritingTo: out)
      defer { try? handle.close() }
      gzip.standardOutput = handle
      gzip.standardError = FileHandle.nullDevice
      try gzip.run()
      gzip.waitUntilExit()
      guard gzip.terminationStatus == 0 else { throw XenRunError.unpackFailed("gzip -dc exited \(gzip.terminationStatus)") }
    } catch let e as XenRunError {
      throw e
    } catch {
      throw .unpackFailed("\(error)")
    }
    return out
  }

  /// The QEMU configuration that boots `guest` as dom0 with `guestCommandLine`.
  ///
  /// SeaBIOS, not qboot: with qboot, QEMU exits at once without a byte of output when loading Xen.
  public func config(guest: URL, guestCommandLine: String = XenRunner.rebootOnExit) throws(XenRunError) -> QEMUConfig {
    let xen = try xenImage()
    let module = BootModule(file: guest, arguments: guestCommandLine)
    var config = QEMUConfig(medium: .kernel(elf: xen, modules: [module], commandLine: xenCommandLine))
    config.memoryMiB = memoryMiB
    config.firmware = .seaBIOS
    config.timeoutSeconds = timeoutSeconds
    return config
  }

  /// Boots `guest` as dom0 and waits until QEMU exits or the timeout kills it.
  public func run(guest: URL, guestCommandLine: String = XenRunner.rebootOnExit) throws(XenRunError) -> XenBootResult {
    let cfg = try config(guest: guest, guestCommandLine: guestCommandLine)
    do {
      return XenBootResult(boot: try QEMURunner(echoSerial: echoSerial).run(cfg))
    } catch {
      throw .qemu(error)
    }
  }

  private func modificationDate(_ path: String) -> Date? {
    (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
  }
}
