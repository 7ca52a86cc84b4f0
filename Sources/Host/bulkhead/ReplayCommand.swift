// `bulkhead replay TRACE [--against-spec]`: runs a memory-management trace (docs/trace-format.md)
// through the core, one result line per operation and a final state digest; with
// --against-spec, runs the Spec side by side and stops at the first divergence.
import ArgumentParser
import BulkheadCore
import BulkheadHost
import BulkheadSpec
import Foundation

struct Replay: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Replay a memory-management trace through the core (and optionally the Spec).",
    discussion: """
      Prints one line per operation: its index, name, result (ok or the Xen errno) and count \
      done, then the core's state digest. Exit status 1 at the first divergence (--against-spec) \
      or broken invariant (--check).
      """)

  @Argument(help: "Trace file (JSON Lines; '-' for standard input).")
  var trace: String

  @Flag(help: "Run the Spec side by side; stop at the first divergence in result, state or invariants.")
  var againstSpec = false

  @Flag(help: "Check the core's invariants after every operation.")
  var check = false

  @Flag(help: "Print only divergences and the final digest.")
  var quiet = false

  func run() throws {
    let text: String
    if trace == "-" {
      text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    } else {
      text = try String(contentsOfFile: trace, encoding: .utf8)
    }
    let (config, ops) = try MMTraceCodec.decode(trace: text)
    var core = HostMemoryManager(config: config)
    var spec = SpecState(config: MMBridge.specConfig(config))
    for (i, op) in ops.enumerated() {
      let c = core.apply(op)
      if !quiet { print("\(i) \(op.name) \(Self.result(c))") }
      if againstSpec {
        let (s, next) = MMBridge.apply(op, to: spec)
        spec = next
        var why: String? = nil
        if c != s {
          why = "results differ: spec \(Self.result(s)), core \(Self.result(c))"
        } else if let d = MMBridge.divergence(core: core, spec: spec) {
          why = "state differs: \(d)"
        } else if let v = MMBridge.coreViolations(core).first {
          why = "core invariant broken: \(v)"
        } else if let v = MMBridge.specViolations(spec).first {
          why = "spec invariant broken: \(v)"
        }
        if let why {
          print("DIVERGENCE at operation \(i): \(MMTraceCodec.encode(op))")
          print("  \(why)")
          throw ExitCode.failure
        }
      } else if check, let v = MMBridge.coreViolations(core).first {
        print("INVARIANT broken after operation \(i): \(v)")
        throw ExitCode.failure
      }
    }
    print("digest \(String(format: "%016llx", core.digest())) after \(ops.count) operations")
    if againstSpec { print("spec agrees on every operation") }
  }

  /// `ok done=N` or `EINVAL(22) done=N`, plus the value or frames when there are any.
  static func result(_ o: MMOutcome) -> String {
    var s = o.error.map { "\($0.name)(\($0.rawValue))" } ?? "ok"
    s += " done=\(o.done)"
    if o.value != 0 { s += " value=\(o.value)" }
    if !o.frames.isEmpty { s += " frames=\(o.frames.map { String($0.raw) }.joined(separator: ","))" }
    return s
  }
}
