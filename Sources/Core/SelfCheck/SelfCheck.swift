/// The core's boot-time self-check: the same checks run under `swift test` and, at every
/// boot, inside the kernel, so a miscompiled or misconfigured Embedded build shows up at once.
public enum SelfCheck {
  /// One named check.
  public struct Case {
    public var name: StaticString
    public var run: () -> Bool
    public init(_ name: StaticString, _ run: @escaping () -> Bool) {
      self.name = name
      self.run = run
    }
  }

  /// The outcome of running every case.
  public struct Report {
    public var passed: Int
    public var total: Int
    /// Names of the failed cases, in order.
    public var failures: [StaticString]
    public var allPassed: Bool { passed == total }
  }

  /// Every check. Subsystems add theirs here, one line each.
  public static var cases: [Case] {
    bootCases + allocatorCases + mmCases + schedCases
  }

  /// Runs every case in order.
  public static func run() -> Report {
    var report = Report(passed: 0, total: 0, failures: [])
    for c in cases {
      report.total += 1
      if c.run() { report.passed += 1 } else { report.failures.append(c.name) }
    }
    return report
  }
}
