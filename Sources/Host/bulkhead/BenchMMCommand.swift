// `bulkhead bench mm`: memory-management throughput of the core, on the host. Medians of
// several runs; build with `-c release` for numbers worth writing down (docs/benchmarks.md).
import ArgumentParser
import BulkheadCore
import BulkheadHost
import BulkheadSpec
import Foundation

private typealias MFN = BulkheadCore.MFN
private typealias VCPUID = BulkheadCore.VCPUID
private typealias DomID = BulkheadCore.DomID

struct BenchMMCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mm",
    abstract: "Measure validated PTE updates, tree pinning and core/Spec throughput (host, medians).")

  @Option(help: "Runs per measurement (the median is reported).")
  var runs: Int = 5

  @Option(help: "Operations in the generated trace for the core/Spec comparison.")
  var traceOps: Int = 20_000

  @Option(help: "Seed of the generated trace.")
  var seed: UInt64 = 1

  @Option(help: "Also write the generated trace to this file (for `bulkhead replay`).")
  var writeTrace: String?

  fileprivate static let v0 = VCPUID(.dom0, 0)

  func run() throws {
    print("memory-management benchmark (host, \(runs) runs, medians)")
    let single = median((0..<runs).map { _ in Self.singleUpdates(count: 1_000_000) })
    print("  validated PTE updates, single mmu_update:  \(Self.rate(single)) updates/s (\(Self.ns(1 / single)) per update)")
    let batched = median((0..<runs).map { _ in Self.batchedUpdates(batches: 4000) })
    print("  validated PTE updates, 512-entry batches:  \(Self.rate(batched)) updates/s (\(Self.ns(512 / batched)) per batch)")
    let pin = median((0..<runs).map { _ in Self.pinFullTree() })
    print("  pin of a populated 4-level tree (515 tables, 262,144 L1 entries): \(Self.ms(pin)) (unpin included in the setup, not timed)")
    let (coreRate, specRate) = try traceRatio()
    print("  generated trace (\(traceOps) ops, seed \(seed)): core \(Self.rate(coreRate)) ops/s, Spec \(Self.rate(specRate)) ops/s, ratio \(String(format: "%.1f", coreRate / specRate))x")
  }

  func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
  static func rate(_ r: Double) -> String { String(format: "%.3g", r) }
  static func ns(_ s: Double) -> String { String(format: "%.0f ns", s * 1e9) }
  static func ms(_ s: Double) -> String { String(format: "%.2f ms", s * 1e3) }

  static func time(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
  }

  /// dom0 with a pinned L4 -> L3 -> L2 -> L1 in CR3 and `data` frames; returns (mm, l1, data).
  fileprivate static func machine(frames: Int = 4096, data: Int = 16) -> (HostMemoryManager, MFN, [MFN]) {
    var c = MMConfig()
    c.frameCount = frames
    c.dom0MaxPages = frames - c.hypervisorFrames
    var mm = HostMemoryManager(config: c)
    guard let f = try? mm.populatePhysmap(caller: v0, count: 4 + data) else { fatalError("bench: populate") }
    let b = mm.mmuUpdate(caller: v0, [
      .normal(f[0], 0, f[1].raw << 12 | 7), .normal(f[1], 0, f[2].raw << 12 | 7), .normal(f[2], 0, f[3].raw << 12 | 7),
    ])
    let p = mm.mmuextOp(caller: v0, [.pinTable(level: 4, f[0]), .newBaseptr(f[0])])
    precondition(b.error == nil && p.error == nil, "bench: building the tree")
    return (mm, f[3], Array(f[4...]))
  }

  /// Updates/s of single-request mmu_update calls: L1 entries rewritten round-robin, alternating
  /// R/W and read-only mappings of 16 data frames (every update moves a typed reference).
  static func singleUpdates(count: Int) -> Double {
    var (mm, l1, data) = machine()
    var failures = 0
    let t = time {
      for i in 0..<count {
        let e = data[i & 15].raw << 12 | (i & 1 == 0 ? 0x7 : 0x5)
        if mm.mmuUpdate(caller: v0, CollectionOfOne(.normal(l1, i & 511, e))).error != nil { failures += 1 }
      }
    }
    precondition(failures == 0, "bench: refused update")
    return Double(count) / t
  }

  /// Updates/s in 512-entry batches (a whole L1 rewritten per call).
  static func batchedUpdates(batches: Int) -> Double {
    var (mm, l1, data) = machine()
    var reqs: [[MMURequest]] = [[], []]
    for k in 0..<2 {
      for i in 0..<512 { reqs[k].append(.normal(l1, i, data[(i + k) & 15].raw << 12 | ((i + k) & 1 == 0 ? 0x7 : 0x5))) }
    }
    var failures = 0
    let t = time {
      for b in 0..<batches where mm.mmuUpdate(caller: v0, reqs[b & 1]).error != nil { failures += 1 }
    }
    precondition(failures == 0, "bench: refused batch")
    return Double(batches * 512) / t
  }

  /// Seconds to pin an L4 whose L2 holds 512 L1s, each with 512 entries (writable data maps).
  static func pinFullTree() -> Double {
    var (mm, _, data) = machine(frames: 1024 + 64, data: 0)
    guard let more = try? mm.populatePhysmap(caller: v0, count: 3 + 512 + 8) else { fatalError("bench: populate") }
    let (l4, l3, l2) = (more[0], more[1], more[2])
    let l1s = Array(more[3..<515])
    let pages = Array(more[515...])
    _ = data
    var reqs: [MMURequest] = [.normal(l4, 0, l3.raw << 12 | 7), .normal(l3, 0, l2.raw << 12 | 7)]
    for (i, l1) in l1s.enumerated() {
      reqs.append(.normal(l2, i, l1.raw << 12 | 7))
      for j in 0..<512 { reqs.append(.normal(l1, j, pages[(i + j) & 7].raw << 12 | 7)) }
    }
    precondition(mm.mmuUpdate(caller: v0, reqs).error == nil, "bench: filling the tree")  // plain stores
    var ok = true
    let t = time { ok = mm.mmuextOp(caller: v0, CollectionOfOne(.pinTable(level: 4, l4))).error == nil }
    precondition(ok, "bench: pin refused")
    return t
  }

  /// Operations/s of the core and of the Spec on the same generated trace.
  func traceRatio() throws -> (Double, Double) {
    let config = MMConfig()
    var gen = MMTraceGenerator(seed: seed)
    var gm = HostMemoryManager(config: config)
    var ops: [MMOperation] = []
    for _ in 0..<traceOps {
      let op = gen.next(gm)
      ops.append(op)
      _ = gm.apply(op)
    }
    if let writeTrace {
      try MMTraceCodec.encode(trace: ops, config: config).write(toFile: writeTrace, atomically: true, encoding: .utf8)
    }
    let core = median((0..<runs).map { _ in
      Self.time {
        var mm = HostMemoryManager(config: config)
        for op in ops { _ = mm.apply(op) }
      }
    })
    let spec = median((0..<max(1, runs / 2)).map { _ in
      Self.time {
        var s = SpecState(config: MMBridge.specConfig(config))
        for op in ops { s = MMBridge.apply(op, to: s).1 }
      }
    })
    return (Double(ops.count) / core, Double(ops.count) / spec)
  }
}
