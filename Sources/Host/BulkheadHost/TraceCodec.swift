// JSON Lines codec for memory-management traces (docs/trace-format.md): one `MMOperation` per
// line, optionally preceded by one `config` line. 64-bit quantities are hex strings so no JSON
// reader rounds them through a double.
//
// Also compiled into CoreTests through a symbolic link (Tests/CoreTests/TraceCodecLink.swift).
import BulkheadCore
import Foundation

/// One decoded trace line.
public enum MMTraceLine: Equatable {
  /// The machine configuration (must come first).
  case config(MMConfig)
  /// One operation.
  case operation(MMOperation)
}

/// A line that could not be decoded: its 1-based number and why.
public struct MMTraceError: Error, CustomStringConvertible {
  public var line: Int
  public var reason: String
  public var description: String { "trace line \(line): \(reason)" }
}

/// Encodes and decodes trace lines.
public enum MMTraceCodec {
  // MARK: encoding

  static func hex(_ v: UInt64) -> String { "\"0x" + String(v, radix: 16) + "\"" }
  static func caller(_ v: VCPUID) -> String { "\"caller\":[\(v.domain.raw),\(v.index)]" }
  static func pointer(_ p: CopyPointer) -> String {
    switch p {
    case .local(let m): "{\"mfn\":\(hex(m.raw))}"
    case .granted(let g, let r): "{\"granter\":\(g.raw),\"ref\":\(r.raw)}"
    }
  }

  /// The config line.
  public static func encode(config c: MMConfig) -> String {
    "{\"op\":\"config\",\"frameCount\":\(c.frameCount),\"hypervisorFrames\":\(c.hypervisorFrames),"
      + "\"dom0MaxPages\":\(c.dom0MaxPages),\"dom0VCPUs\":\(c.dom0VCPUs),"
      + "\"maxVCPUsPerDomain\":\(c.maxVCPUsPerDomain),\"maxGrantFrames\":\(c.maxGrantFrames),"
      + "\"grantEntriesPerFrame\":\(c.grantEntriesPerFrame),\"maxDomains\":\(c.maxDomains),"
      + "\"maptrackEntries\":\(c.maptrackEntries)}"
  }

  /// One operation line.
  public static func encode(_ op: MMOperation) -> String {
    var f: [String] = ["\"op\":\"\(op.name)\""]
    switch op {
    case .mmuUpdate(let c, let reqs):
      f.append(caller(c))
      f.append("\"requests\":[" + reqs.map { "[\(hex($0.ptr)),\(hex($0.val))]" }.joined(separator: ",") + "]")
    case .mmuextOp(let c, let ops):
      f.append(caller(c))
      let items = ops.map { o -> String in
        switch o {
        case .pinTable(let l, let m): "{\"cmd\":\"pin\",\"level\":\(l),\"mfn\":\(hex(m.raw))}"
        case .unpinTable(let m): "{\"cmd\":\"unpin\",\"mfn\":\(hex(m.raw))}"
        case .newBaseptr(let m): "{\"cmd\":\"newBaseptr\",\"mfn\":\(hex(m.raw))}"
        case .tlbFlushLocal: "{\"cmd\":\"tlbFlushLocal\"}"
        case .invlpgLocal(let va): "{\"cmd\":\"invlpgLocal\",\"va\":\(hex(va))}"
        case .unsupported(let n): "{\"cmd\":\"raw\",\"number\":\(n)}"
        }
      }
      f.append("\"ops\":[" + items.joined(separator: ",") + "]")
    case .updateVaMapping(let c, let va, let val, let flags):
      f += [caller(c), "\"va\":\(hex(va))", "\"val\":\(hex(val))", "\"flags\":\(hex(flags))"]
    case .populatePhysmap(let c, let n):
      f += [caller(c), "\"count\":\(n)"]
    case .decreaseReservation(let c, let list):
      f += [caller(c), "\"frames\":[" + list.map { hex($0.raw) }.joined(separator: ",") + "]"]
    case .grantSetupTable(let c, let n):
      f += [caller(c), "\"frames\":\(n)"]
    case .grantAccess(let c, let ref, let grantee, let frame, let ro):
      f += [caller(c), "\"ref\":\(ref.raw)", "\"grantee\":\(grantee.raw)", "\"frame\":\(hex(frame.raw))", "\"readOnly\":\(ro)"]
    case .grantEnd(let c, let ref):
      f += [caller(c), "\"ref\":\(ref.raw)"]
    case .grantMap(let c, let granter, let ref, let ro):
      f += [caller(c), "\"granter\":\(granter.raw)", "\"ref\":\(ref.raw)", "\"readOnly\":\(ro)"]
    case .grantUnmap(let c, let h):
      f += [caller(c), "\"handle\":\(h.raw)"]
    case .grantCopy(let c, let s, let d):
      f += [caller(c), "\"source\":\(pointer(s))", "\"dest\":\(pointer(d))"]
    case .domainCreate(let c, let d, let maxPages, let vcpus):
      f += [caller(c), "\"domain\":\(d.raw)", "\"maxPages\":\(maxPages)", "\"vcpus\":\(vcpus)"]
    case .domainDestroy(let c, let d):
      f += [caller(c), "\"target\":\(d.raw)"]
    }
    return "{" + f.joined(separator: ",") + "}"
  }

  // MARK: decoding

  struct Fields {
    var dict: [String: Any]
    var line: Int
    func fail(_ why: String) -> MMTraceError { MMTraceError(line: line, reason: why) }

    func u64(_ k: String, in d: [String: Any]? = nil) throws -> UInt64 {
      let v = (d ?? dict)[k]
      if let s = v as? String {
        let t = s.lowercased()
        if t.hasPrefix("0x"), let x = UInt64(t.dropFirst(2), radix: 16) { return x }
        if let x = UInt64(t) { return x }
      }
      if let n = v as? NSNumber, let x = UInt64(exactly: n.doubleValue) ?? UInt64(exactly: n.int64Value) { return x }
      throw fail("field \(k): expected an unsigned 64-bit number or \"0x...\" string")
    }
    func int(_ k: String, in d: [String: Any]? = nil) throws -> Int {
      if let n = (d ?? dict)[k] as? NSNumber, let x = Int(exactly: n.doubleValue) { return x }
      if let s = (d ?? dict)[k] as? String, let x = Int(s) { return x }
      throw fail("field \(k): expected an integer")
    }
    func u32(_ k: String, in d: [String: Any]? = nil) throws -> UInt32 {
      guard let x = UInt32(exactly: try u64(k, in: d)) else { throw fail("field \(k): out of 32-bit range") }
      return x
    }
    func u16(_ k: String, in d: [String: Any]? = nil) throws -> UInt16 {
      guard let x = UInt16(exactly: try u64(k, in: d)) else { throw fail("field \(k): out of 16-bit range") }
      return x
    }
    func bool(_ k: String) throws -> Bool {
      guard let b = dict[k] as? Bool else { throw fail("field \(k): expected true or false") }
      return b
    }
    func caller() throws -> VCPUID {
      guard let a = dict["caller"] as? [NSNumber], a.count == 2, let d = UInt16(exactly: a[0].int64Value) else {
        throw fail("field caller: expected [domain, vcpu]")
      }
      return VCPUID(DomID(d), a[1].intValue)
    }
    func pointer(_ k: String) throws -> CopyPointer {
      guard let d = dict[k] as? [String: Any] else { throw fail("field \(k): expected an object") }
      if d["mfn"] != nil { return .local(MFN(try u64("mfn", in: d))) }
      return .granted(granter: DomID(try u16("granter", in: d)), ref: GrantRef(try u32("ref", in: d)))
    }
  }

  /// Decodes one line (`number` is 1-based, for messages). Blank lines and lines starting with
  /// `#` decode to nil.
  public static func decode(_ text: String, number: Int) throws -> MMTraceLine? {
    let t = text.trimmingCharacters(in: .whitespaces)
    if t.isEmpty || t.hasPrefix("#") { return nil }
    guard let data = t.data(using: .utf8),
      let dict = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw MMTraceError(line: number, reason: "not a JSON object") }
    let f = Fields(dict: dict, line: number)
    guard let op = dict["op"] as? String else { throw f.fail("missing \"op\"") }
    switch op {
    case "config":
      var c = MMConfig()
      func opt(_ k: String, _ set: (Int) -> Void) throws { if dict[k] != nil { set(try f.int(k)) } }
      try opt("frameCount") { c.frameCount = $0 }
      try opt("hypervisorFrames") { c.hypervisorFrames = $0 }
      try opt("dom0MaxPages") { c.dom0MaxPages = $0 }
      try opt("dom0VCPUs") { c.dom0VCPUs = $0 }
      try opt("maxVCPUsPerDomain") { c.maxVCPUsPerDomain = $0 }
      try opt("maxGrantFrames") { c.maxGrantFrames = $0 }
      try opt("grantEntriesPerFrame") { c.grantEntriesPerFrame = $0 }
      try opt("maxDomains") { c.maxDomains = $0 }
      try opt("maptrackEntries") { c.maptrackEntries = $0 }
      guard c.isValid else { throw f.fail("configuration out of range") }
      return .config(c)
    case "mmuUpdate":
      guard let reqs = dict["requests"] as? [[Any]] else { throw f.fail("field requests: expected [[ptr, val], ...]") }
      let rs = try reqs.map { r -> MMURequest in
        guard r.count == 2 else { throw f.fail("a request is [ptr, val]") }
        let g = Fields(dict: ["p": r[0], "v": r[1]], line: number)
        return MMURequest(ptr: try g.u64("p"), val: try g.u64("v"))
      }
      return .operation(.mmuUpdate(caller: try f.caller(), requests: rs))
    case "mmuextOp":
      guard let ops = dict["ops"] as? [[String: Any]] else { throw f.fail("field ops: expected a list of objects") }
      let cs = try ops.map { o -> MMUExtCommand in
        let g = Fields(dict: o, line: number)
        switch o["cmd"] as? String {
        case "pin": return .pinTable(level: try g.int("level"), MFN(try g.u64("mfn")))
        case "unpin": return .unpinTable(MFN(try g.u64("mfn")))
        case "newBaseptr": return .newBaseptr(MFN(try g.u64("mfn")))
        case "tlbFlushLocal": return .tlbFlushLocal
        case "invlpgLocal": return .invlpgLocal(va: try g.u64("va"))
        case "raw": return MMUExtCommand(cmd: try g.u32("number"), arg1: (try? g.u64("arg1")) ?? 0)
        default: throw f.fail("unknown mmuext cmd \(String(describing: o["cmd"]))")
        }
      }
      return .operation(.mmuextOp(caller: try f.caller(), ops: cs))
    case "updateVaMapping":
      return .operation(
        .updateVaMapping(
          caller: try f.caller(), va: try f.u64("va"), val: try f.u64("val"),
          flags: dict["flags"] == nil ? 0 : try f.u64("flags")))
    case "populatePhysmap":
      return .operation(.populatePhysmap(caller: try f.caller(), count: try f.int("count")))
    case "decreaseReservation":
      guard let list = dict["frames"] as? [Any] else { throw f.fail("field frames: expected a list") }
      let ms = try list.map { MFN(try Fields(dict: ["m": $0], line: number).u64("m")) }
      return .operation(.decreaseReservation(caller: try f.caller(), frames: ms))
    case "grantSetupTable":
      return .operation(.grantSetupTable(caller: try f.caller(), frames: try f.int("frames")))
    case "grantAccess":
      return .operation(
        .grantAccess(
          caller: try f.caller(), ref: GrantRef(try f.u32("ref")), grantee: DomID(try f.u16("grantee")),
          frame: MFN(try f.u64("frame")), readOnly: try f.bool("readOnly")))
    case "grantEnd":
      return .operation(.grantEnd(caller: try f.caller(), ref: GrantRef(try f.u32("ref"))))
    case "grantMap":
      return .operation(
        .grantMap(
          caller: try f.caller(), granter: DomID(try f.u16("granter")), ref: GrantRef(try f.u32("ref")),
          readOnly: try f.bool("readOnly")))
    case "grantUnmap":
      return .operation(.grantUnmap(caller: try f.caller(), handle: GrantHandle(try f.u32("handle"))))
    case "grantCopy":
      return .operation(.grantCopy(caller: try f.caller(), source: try f.pointer("source"), dest: try f.pointer("dest")))
    case "domainCreate":
      return .operation(
        .domainCreate(
          caller: try f.caller(), domain: DomID(try f.u16("domain")), maxPages: try f.int("maxPages"),
          vcpus: try f.int("vcpus")))
    case "domainDestroy":
      return .operation(.domainDestroy(caller: try f.caller(), target: DomID(try f.u16("target"))))
    default:
      throw f.fail("unknown op \(op)")
    }
  }

  /// Decodes a whole trace: its configuration (default if absent) and its operations.
  public static func decode(trace text: String) throws -> (MMConfig, [MMOperation]) {
    var config = MMConfig()
    var ops: [MMOperation] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      switch try decode(String(line), number: i + 1) {
      case .config(let c)?:
        guard ops.isEmpty else { throw MMTraceError(line: i + 1, reason: "config must come before operations") }
        config = c
      case .operation(let o)?: ops.append(o)
      case nil: break
      }
    }
    return (config, ops)
  }

  /// Encodes a whole trace, config line first.
  public static func encode(trace ops: [MMOperation], config: MMConfig) -> String {
    ([encode(config: config)] + ops.map(encode)).joined(separator: "\n") + "\n"
  }
}
