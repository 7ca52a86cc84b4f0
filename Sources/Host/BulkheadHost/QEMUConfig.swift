// What to boot and on what virtual machine: the inputs of a QEMU run, and the command line they make.
import Foundation

/// A multiboot module passed to the kernel: a file plus its command line.
public struct BootModule: Equatable, Sendable {
  /// The module file.
  public var file: URL
  /// The module's command line (may be empty).
  public var arguments: String

  public init(file: URL, arguments: String = "") {
    self.file = file
    self.arguments = arguments
  }

  /// Parses the CLI's `--module "path args"` form: the path, then an optional space and arguments.
  public init(parsing spec: String) {
    let trimmed = spec.trimmingCharacters(in: .whitespaces)
    if let space = trimmed.firstIndex(of: " ") {
      self.init(
        file: URL(fileURLWithPath: String(trimmed[..<space])),
        arguments: String(trimmed[trimmed.index(after: space)...]).trimmingCharacters(in: .whitespaces))
    } else {
      self.init(file: URL(fileURLWithPath: trimmed))
    }
  }
}

/// How the machine gets the kernel.
public enum BootMedium: Equatable, Sendable {
  /// QEMU's built-in multiboot (v1) loader: `-kernel`, `-initrd` modules, `-append` command line.
  case kernel(elf: URL, modules: [BootModule] = [], commandLine: String = "")
  /// A GRUB image in the CD drive, BIOS firmware (SeaBIOS).
  case cdrom(iso: URL)
  /// A GRUB image in the CD drive, UEFI firmware (OVMF).
  case uefi(iso: URL)
}

/// The firmware QEMU starts with.
public enum Firmware: Equatable, Sendable {
  /// QEMU's default SeaBIOS.
  case seaBIOS
  /// qboot, a minimal BIOS that boots `-kernel` in milliseconds. Only for `.kernel` boots.
  case qboot(URL)
  /// OVMF UEFI firmware, loaded with `-bios`.
  case ovmf(URL)
}

/// The emulated chipset.
public enum Machine: String, Sendable, CaseIterable {
  /// i440FX + PIIX, the default.
  case pc
  /// Q35 + ICH9, PCIe.
  case q35
}

/// Every knob of one QEMU boot. The CPU model and accelerator are not knobs: always TCG, `qemu64,+svm,+npt`.
public struct QEMUConfig: Equatable, Sendable {
  /// What to boot.
  public var medium: BootMedium
  /// Guest RAM in MiB (`-m`).
  public var memoryMiB: Int = 256
  /// Number of virtual CPUs (`-smp`).
  public var cpus: Int = 1
  /// Chipset (`-machine`).
  public var machine: Machine = .pc
  /// Firmware. `nil` picks: qboot for `.kernel` when installed, OVMF for `.uefi`, else SeaBIOS.
  public var firmware: Firmware? = nil
  /// Seconds before the host kills QEMU. TCG is slow; 60 s is generous for a boot.
  public var timeoutSeconds: Double = 60
  /// When set, serial output is also appended to this file (`-chardev file`-like, written by the host).
  public var serialLog: URL? = nil
  /// Extra arguments appended verbatim (escape hatch; keep out of tests).
  public var extraArguments: [String] = []

  public init(medium: BootMedium) {
    self.medium = medium
  }
}

/// The accelerator and CPU every boot uses: TCG, with SVM and nested paging advertised.
public let qemuCPUArguments = ["-accel", "tcg", "-cpu", "qemu64,+svm,+npt"]

/// Default locations of the firmware files Debian installs.
public enum FirmwarePaths {
  /// qboot, from qemu-system-data.
  public static let qboot = "/usr/share/qemu/qboot.rom"
  /// OVMF, from ovmf.
  public static let ovmf = "/usr/share/ovmf/OVMF.fd"
}

/// Why a configuration cannot become a QEMU command line.
public enum QEMUConfigError: Error, Equatable, CustomStringConvertible {
  /// A module file name or argument contains a comma, which QEMU's `-initrd` list cannot carry.
  case moduleHasComma(String)
  /// `-m` below 2 MiB or `-smp` below 1.
  case badMachineSize(memoryMiB: Int, cpus: Int)
  /// `.uefi` asked for but no OVMF image was given or found.
  case noOVMF

  public var description: String {
    switch self {
    case .moduleHasComma(let s): "multiboot module '\(s)' contains a comma, which -initrd cannot pass"
    case .badMachineSize(let m, let c): "bad machine size: -m \(m)M -smp \(c)"
    case .noOVMF: "UEFI boot needs OVMF: install it with `apt-get install ovmf`"
    }
  }
}

extension QEMUConfig {
  /// The firmware this configuration boots with, after applying the defaults.
  /// `fileExists` is injectable so tests don't depend on the host's packages.
  public func resolvedFirmware(
    fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
  ) throws(QEMUConfigError) -> Firmware {
    if let firmware { return firmware }
    switch medium {
    case .kernel:
      return fileExists(FirmwarePaths.qboot) ? .qboot(URL(fileURLWithPath: FirmwarePaths.qboot)) : .seaBIOS
    case .cdrom:
      return .seaBIOS
    case .uefi:
      guard fileExists(FirmwarePaths.ovmf) else { throw .noOVMF }
      return .ovmf(URL(fileURLWithPath: FirmwarePaths.ovmf))
    }
  }

  /// The arguments after `qemu-system-x86_64`. Serial goes to stdio; stdin must not be a terminal.
  public func arguments(
    fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
  ) throws(QEMUConfigError) -> [String] {
    guard memoryMiB >= 2, cpus >= 1 else { throw .badMachineSize(memoryMiB: memoryMiB, cpus: cpus) }
    var args = ["-machine", machine.rawValue] + qemuCPUArguments
    args += ["-m", "\(memoryMiB)M", "-smp", "\(cpus)"]
    args += ["-display", "none", "-serial", "stdio", "-monitor", "none", "-parallel", "none"]
    args += ["-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    switch try resolvedFirmware(fileExists: fileExists) {
    case .seaBIOS: break
    case .qboot(let rom): args += ["-bios", rom.path]
    case .ovmf(let fd): args += ["-bios", fd.path]
    }
    switch medium {
    case .kernel(let elf, let modules, let commandLine):
      args += ["-kernel", elf.path]
      if !commandLine.isEmpty { args += ["-append", commandLine] }
      if !modules.isEmpty {
        var items: [String] = []
        for module in modules {
          let item = module.arguments.isEmpty ? module.file.path : "\(module.file.path) \(module.arguments)"
          guard !item.contains(",") else { throw .moduleHasComma(item) }
          items.append(item)
        }
        args += ["-initrd", items.joined(separator: ",")]
      }
    case .cdrom(let iso), .uefi(let iso):
      args += ["-cdrom", iso.path, "-boot", "d"]
    }
    return args + extraArguments
  }
}
