// Finding the host tools that building and booting need, and naming the Debian package when one is missing.
import Foundation

/// A host tool (or firmware file) that `bulkhead` needs for some command.
public enum Tool: String, Sendable, CaseIterable {
  /// The emulator. Always run with TCG, never KVM.
  case qemu = "qemu-system-x86_64"
  /// Builds the GRUB rescue image (a hybrid ISO).
  case grubMkrescue = "grub-mkrescue"
  /// GRUB's BIOS modules, needed by grub-mkrescue for a BIOS-bootable image.
  case grubPCModules = "grub-pc-bin modules"
  /// GRUB's UEFI modules, needed by grub-mkrescue for a UEFI-bootable image.
  case grubEFIModules = "grub-efi-amd64-bin modules"
  /// The ISO 9660 writer grub-mkrescue drives.
  case xorriso = "xorriso"
  /// FAT image writer grub-mkrescue uses for the EFI system partition.
  case mformat = "mformat"
  /// UEFI firmware for QEMU.
  case ovmf = "OVMF.fd"

  /// The Debian packages that provide this tool, as one `apt-get install` argument list.
  public var debianPackages: [String] {
    switch self {
    case .qemu: ["qemu-system-x86"]
    case .grubMkrescue: ["grub-common", "grub-pc-bin"]
    case .grubPCModules: ["grub-pc-bin"]
    case .grubEFIModules: ["grub-efi-amd64-bin"]
    case .xorriso: ["xorriso"]
    case .mformat: ["mtools"]
    case .ovmf: ["ovmf"]
    }
  }

  /// Where a non-executable tool lives: a firmware file or a module folder. `nil` for programs on PATH.
  var fixedPaths: [String]? {
    switch self {
    case .grubPCModules: ["/usr/lib/grub/i386-pc"]
    case .grubEFIModules: ["/usr/lib/grub/x86_64-efi"]
    case .ovmf: ["/usr/share/ovmf/OVMF.fd", "/usr/share/qemu/OVMF.fd"]
    default: nil
    }
  }
}

/// Why a tool could not be found. Each description is one line that says what to install.
public enum ToolCheckError: Error, Equatable, CustomStringConvertible {
  /// The tool is not on PATH (or the file/folder is absent).
  case missing(Tool)

  public var description: String {
    switch self {
    case .missing(let tool):
      "missing \(tool.rawValue): install it with `apt-get install \(tool.debianPackages.joined(separator: " "))`"
    }
  }
}

/// Locates host tools. The search path and file-existence check are injectable so tests can fake a bare host.
public struct ToolCheck: Sendable {
  /// Folders searched for programs, in order.
  public var searchPath: [String]
  /// Answers whether a path exists (and, for programs, is executable).
  public var exists: @Sendable (String) -> Bool

  /// A checker over the current process's `PATH`.
  public init(
    searchPath: [String] = ToolCheck.processPath(),
    exists: @escaping @Sendable (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
  ) {
    self.searchPath = searchPath
    self.exists = exists
  }

  /// `PATH` of this process split into folders, with the usual system folders as a fallback.
  public static func processPath() -> [String] {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
  }

  /// Returns the path of `tool`, or throws `.missing(tool)`.
  public func locate(_ tool: Tool) throws(ToolCheckError) -> URL {
    if let fixed = tool.fixedPaths {
      if let hit = fixed.first(where: exists) { return URL(fileURLWithPath: hit) }
      throw .missing(tool)
    }
    for dir in searchPath where !dir.isEmpty {
      let candidate = (dir as NSString).appendingPathComponent(tool.rawValue)
      if exists(candidate) { return URL(fileURLWithPath: candidate) }
    }
    throw .missing(tool)
  }

  /// Whether `tool` is present.
  public func has(_ tool: Tool) -> Bool {
    (try? locate(tool)) != nil
  }

  /// Checks every tool in `tools`; throws for the first one missing.
  public func require(_ tools: [Tool]) throws(ToolCheckError) {
    for tool in tools { _ = try locate(tool) }
  }

  /// The tools booting with `-kernel` needs.
  public static let forKernelBoot: [Tool] = [.qemu]
  /// The tools building a BIOS-bootable GRUB image needs.
  public static let forISO: [Tool] = [.grubMkrescue, .grubPCModules, .xorriso, .mformat]
  /// The tools booting the image under UEFI needs (building it with EFI modules, then OVMF).
  public static let forUEFI: [Tool] = forISO + [.grubEFIModules, .qemu, .ovmf]
}
