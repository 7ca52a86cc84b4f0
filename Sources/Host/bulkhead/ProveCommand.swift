// `bulkhead prove`: runs every Z3 obligation in proofs/Obligations and prints a table.

import ArgumentParser
import BulkheadProofs
import Dispatch

/// Discharges every proof obligation; exits non-zero if any is not proved (or, with `--mutants`,
/// if any mutant survives).
struct Prove: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Prove the Spec's invariants and the core's decision functions with Z3.")

  @Option(name: .long, help: "Run only this obligation (or every obligation of this operation or invariant).")
  var only: String?

  @Flag(name: .long, help: "Also check that every mutant (weakened check) is refuted.")
  var mutants = false

  @Option(name: .long, help: "Worker threads, one Z3 context each.")
  var threads = 2

  @Flag(name: .long, help: "List the obligations and their mutants, and exit.")
  var list = false

  @Flag(name: .long, help: "Print which (transition, invariant) pairs have an obligation, and exit.")
  var matrix = false

  @Flag(name: .long, help: "Check that every obligation's hypotheses are satisfiable (no vacuous proof), and exit.")
  var vacuity = false

  func run() throws {
    if matrix {
      print(ProveMatrix.render(allObligations()))
      return
    }
    if list {
      for o in allObligations() {
        print(o.name)
        for m in o.mutants { print("  /\(m.name)") }
      }
      return
    }
    if vacuity {
      let results = runVacuityChecks(only: only, threads: threads)
      let width = results.map(\.name.count).max() ?? 10
      print(pad("obligation", width) + "  feasible cases")
      for r in results {
        let note = r.vacuous ? "  VACUOUS" : r.unknown > 0 ? "  (\(r.unknown) unknown)" : ""
        print(pad(r.name, width) + "  \(r.feasible) of \(r.cases)" + note)
      }
      let vacuous = results.filter(\.vacuous)
      print("\(results.count - vacuous.count) of \(results.count) obligations have a feasible case")
      if !vacuous.isEmpty { throw ExitCode.failure }
      return
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let results = runAllObligations(only: only, mutants: mutants, threads: threads)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    if results.isEmpty {
      print("no obligation matches \(only ?? "")")
      throw ExitCode.failure
    }
    let width = results.map(\.name.count).max() ?? 10
    print(pad("obligation", width) + "  result    time      work (Mrlimit)")
    for r in results {
      let verdict: String
      var detail = ""
      switch r.status {
      case .proved: verdict = r.isMutant ? "SURVIVED" : "proved"
      case .refuted(let cex):
        verdict = r.isMutant ? "refuted" : "FAILED"
        detail = cex.map(\.description).joined(separator: " ")
      case .unknown(let why): verdict = "UNKNOWN"; detail = why
      }
      let time = String(Int((r.seconds * 1000).rounded())) + " ms"
      let work = String(format: "%.1f", Double(r.resources) / 1e6)
      print(pad(r.name, width) + "  " + pad(verdict, 8) + "  " + pad(time, 8) + "  " + pad(work, 14) + (detail.isEmpty ? "" : "  " + detail))
    }
    let failed = results.filter { !$0.passed }
    let maxWork = results.map(\.resources).max() ?? 0
    print("\(results.count - failed.count) passed, \(failed.count) failed  (\(String(Int(elapsed * 1000))) ms wall; largest check \(String(format: "%.1f", Double(maxWork) / 1e6)) Mrlimit of \(obligationRlimitLimit / 1_000_000))")
    if !failed.isEmpty { throw ExitCode.failure }
  }

  private func pad(_ s: String, _ n: Int) -> String {
    s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
  }
}
