// Boots the same configuration several times and summarizes the host-measured timings.
import Foundation

/// Medians over several boots of one configuration.
public struct BootBenchmarkReport: Sendable {
  /// Number of boots.
  public var runs: Int
  /// Median time from starting QEMU to the first serial byte (boots that printed nothing are left out).
  public var medianFirstSerialByte: Duration?
  /// Median time from starting QEMU to its exit.
  public var medianWallTime: Duration
  /// Fastest and slowest wall times.
  public var minWallTime: Duration
  public var maxWallTime: Duration
  /// Size in bytes of the booted image.
  public var imageBytes: Int
  /// How many boots did not end with `GuestStatus.success`.
  public var failures: Int
}

/// Why a benchmark could not run.
public enum BootBenchmarkError: Error, CustomStringConvertible {
  /// `runs` was below 1.
  case noRuns
  /// QEMU could not be started.
  case run(QEMURunError)

  public var description: String {
    switch self {
    case .noRuns: "a benchmark needs at least one run"
    case .run(let e): e.description
    }
  }
}

/// Boots `config` `runs` times, one after another (never in parallel: the timings would interfere).
public struct BootBenchmark: Sendable {
  public var config: QEMUConfig
  public var runs: Int
  public var runner: QEMURunner

  public init(config: QEMUConfig, runs: Int, runner: QEMURunner = QEMURunner()) {
    self.config = config
    self.runs = runs
    self.runner = runner
  }

  /// Runs the boots. `progress` is called after each one.
  public func run(progress: (Int, BootResult) -> Void = { _, _ in }) throws(BootBenchmarkError)
    -> BootBenchmarkReport
  {
    guard runs >= 1 else { throw .noRuns }
    var results: [BootResult] = []
    for index in 0..<runs {
      let result: BootResult
      do { result = try runner.run(config) } catch { throw .run(error) }
      results.append(result)
      progress(index, result)
    }
    let walls = results.map(\.wallTime)
    return BootBenchmarkReport(
      runs: runs,
      medianFirstSerialByte: Self.median(results.compactMap(\.timeToFirstSerialByte)),
      medianWallTime: Self.median(walls) ?? .zero,
      minWallTime: walls.min() ?? .zero,
      maxWallTime: walls.max() ?? .zero,
      imageBytes: Self.imageSize(config.medium),
      failures: results.filter { $0.guest != .success }.count)
  }

  /// The median; the mean of the two middle values for an even count; `nil` when empty.
  public static func median(_ values: [Duration]) -> Duration? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }

  /// Size of the kernel (plus modules) or ISO being booted.
  static func imageSize(_ medium: BootMedium) -> Int {
    let files: [URL] =
      switch medium {
      case .kernel(let elf, let modules, _): [elf] + modules.map(\.file)
      case .cdrom(let iso), .uefi(let iso): [iso]
      }
    return files.reduce(0) { total, url in
      let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
      return total + (size ?? 0)
    }
  }
}

extension Duration {
  /// Milliseconds as a Double, for printing.
  public var milliseconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
  }
}
