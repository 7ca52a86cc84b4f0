// Deciding whether the kernel ELF is older than its sources, so `bulkhead run` builds only when needed.
import Foundation

/// Compares the kernel ELF's modification time with every file the kernel is built from.
public enum KernelFreshness {
  /// The folders (relative to the root) whose files go into the kernel.
  public static let sourceFolders = ["Sources/Core", "Sources/Kernel"]

  /// True when `elf` is missing or any file under `sourceFolders` is newer than it.
  public static func needsBuild(root: URL, elf: URL) -> Bool {
    let fm = FileManager.default
    guard let built = modified(elf) else { return true }
    for folder in sourceFolders {
      let dir = root.appendingPathComponent(folder)
      guard let walker = fm.enumerator(at: dir, includingPropertiesForKeys: [.contentModificationDateKey]) else {
        continue
      }
      for case let url as URL in walker {
        if let time = modified(url), time > built { return true }
      }
    }
    return false
  }

  static func modified(_ url: URL) -> Date? {
    (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
  }
}
