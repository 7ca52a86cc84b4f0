// Finding the repository root, so commands work from any folder inside the checkout.
import Foundation

/// The checkout's root folder: the nearest ancestor holding `Package.swift` and `Sources/Kernel`.
public enum RepositoryRoot {
  /// Searches upward from `start` (default: the current folder). `nil` when not inside a checkout.
  public static func find(from start: URL? = nil) -> URL? {
    var dir = (start ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
    while true {
      let fm = FileManager.default
      if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
        && fm.fileExists(atPath: dir.appendingPathComponent("Sources/Kernel").path)
      {
        return dir
      }
      let parent = dir.deletingLastPathComponent()
      if parent.path == dir.path { return nil }
      dir = parent
    }
  }

  /// Whether the kernel sources are there yet: `KernelBuild.build` needs the linker script.
  public static func hasKernelSources(_ root: URL) -> Bool {
    FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/Kernel/Arch/linker.ld").path)
  }
}
