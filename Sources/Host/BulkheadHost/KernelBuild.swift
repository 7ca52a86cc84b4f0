// The recipe that turns Sources/Core + Sources/Kernel into out/bulkhead.elf.
import Foundation

/// Builds the Embedded Swift kernel image from the same `Sources/Core` files SwiftPM tests.
///
/// Steps: assemble and compile `Sources/Kernel/Arch` with clang; compile `Sources/Core` and
/// `Sources/Kernel/Swift` in ONE `swiftc -wmo` call with the Embedded flags; link with
/// ld.lld; then link a second time with a `.ksyms` section (demangled text symbols of the
/// first link) so exception dumps can name functions. `.ksyms` follows all code, so the
/// second link moves no code address; the build checks that.
public struct KernelBuild: Sendable {
  /// Repository root (the folder holding Package.swift).
  public var root: URL
  /// Output folder, `out/` under the root by default.
  public var outDir: URL

  public init(root: URL, outDir: URL? = nil) {
    self.root = root
    self.outDir = outDir ?? root.appendingPathComponent("out")
  }

  /// The path of the kernel ELF this build produces.
  public var kernelELF: URL { outDir.appendingPathComponent("bulkhead.elf") }

  /// Why a build failed. Each step has its own case.
  public enum Failure: Error, CustomStringConvertible {
    case toolMissing(String)
    case stepFailed(step: String, status: Int32, output: String)
    case symbolsMovedCode(String)

    public var description: String {
      switch self {
      case .toolMissing(let t): return "kernel build: \(t) not found (install Swift 6.3 from swift.org; /opt/swift/usr/bin must be on PATH)"
      case .stepFailed(let step, let status, let output): return "kernel build: \(step) failed (status \(status))\n\(output)"
      case .symbolsMovedCode(let s): return "kernel build: second link moved \(s); .ksyms must follow all code"
      }
    }
  }

  /// Embedded Swift flags for a freestanding x86-64 kernel (see docs/decisions/0003-higher-half.md).
  public static let swiftFlags = [
    "-target", "x86_64-unknown-none-elf",
    "-enable-experimental-feature", "Embedded",
    "-wmo", "-parse-as-library", "-Osize",
    "-Xfrontend", "-disable-stack-protector",
    "-Xcc", "-mno-red-zone", "-Xcc", "-mcmodel=large",
    "-Xcc", "-mno-sse", "-Xcc", "-mno-mmx", "-Xcc", "-ffreestanding",
    "-Xcc", "-fno-omit-frame-pointer",
  ]

  public static let clangFlags = [
    "--target=x86_64-unknown-none-elf", "-ffreestanding", "-fno-builtin", "-nostdlib",
    "-mno-red-zone", "-mcmodel=large", "-mno-sse", "-mno-mmx", "-fno-stack-protector",
    "-fno-omit-frame-pointer", "-O2", "-Wall",
  ]

  /// Runs the whole build; returns the kernel ELF path.
  public func build(verbose: Bool = false) throws -> URL {
    let fm = FileManager.default
    let obj = outDir.appendingPathComponent("obj")
    try fm.createDirectory(at: obj, withIntermediateDirectories: true)
    let arch = root.appendingPathComponent("Sources/Kernel/Arch")
    let include = arch.appendingPathComponent("include")

    var objects: [String] = []
    let archSources = try FileManager.default.contentsOfDirectory(atPath: arch.path)
      .filter { $0.hasSuffix(".S") || $0.hasSuffix(".c") }.sorted()
    for name in archSources {
      let o = obj.appendingPathComponent(name + ".o").path
      try run("clang", Self.clangFlags + ["-I", arch.path, "-I", include.path, "-c", arch.appendingPathComponent(name).path, "-o", o],
              step: "clang \(name)", verbose: verbose)
      objects.append(o)
    }

    let swiftSources = try swiftFiles(under: "Sources/Core") + swiftFiles(under: "Sources/Kernel/Swift")
    let kernelObject = obj.appendingPathComponent("kernel.o").path
    try run("swiftc", Self.swiftFlags + ["-I", include.path, "-module-name", "Kernel", "-c"] + swiftSources + ["-o", kernelObject],
            step: "swiftc (Embedded, \(swiftSources.count) files)", verbose: verbose)
    objects.append(kernelObject)

    let unicode = try toolchainRoot().appendingPathComponent("lib/swift/embedded/x86_64-unknown-none-elf/libswiftUnicodeDataTables.a").path
    let script = arch.appendingPathComponent("linker.ld").path
    let pass1 = obj.appendingPathComponent("pass1.elf").path
    let linkFlags = ["-T", script, "-nostdlib", "-static", "-z", "max-page-size=4096", "--gc-sections", "-e", "_start32"]
    try run("ld.lld", linkFlags + objects + [unicode, "-o", pass1], step: "ld.lld (pass 1)", verbose: verbose)

    let symbols = try textSymbols(of: pass1)
    let ksyms = obj.appendingPathComponent("ksyms.S")
    try Self.ksymsAssembly(symbols).write(to: ksyms, atomically: true, encoding: .utf8)
    let ksymsObject = obj.appendingPathComponent("ksyms.o").path
    try run("clang", Self.clangFlags + ["-c", ksyms.path, "-o", ksymsObject], step: "clang ksyms.S", verbose: verbose)
    try run("ld.lld", linkFlags + objects + [ksymsObject, unicode, "-o", kernelELF.path], step: "ld.lld (pass 2)", verbose: verbose)

    let after = try textSymbols(of: kernelELF.path)
    if let moved = zip(symbols, after).first(where: { $0.0.address != $0.1.address }) {
      throw Failure.symbolsMovedCode(moved.0.name)
    }
    return kernelELF
  }

  /// A text symbol of the linked kernel.
  public struct Symbol: Sendable {
    public var address: UInt64
    public var name: String
  }

  /// Text symbols sorted by address, demangled (simplified) for readability in dumps.
  func textSymbols(of elf: String) throws -> [Symbol] {
    let nm = try capture("llvm-nm", ["-n", "--defined-only", elf], step: "llvm-nm")
    var raw: [(UInt64, String)] = []
    for line in nm.split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 2)
      guard parts.count == 3, "tTwW".contains(parts[1]), let a = UInt64(parts[0], radix: 16) else { continue }
      raw.append((a, String(parts[2])))
    }
    let demangled = try capture("swift-demangle", ["--simplified", "--compact"], step: "swift-demangle",
                                stdin: raw.map(\.1).joined(separator: "\n") + "\n")
      .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    return raw.enumerated().map { i, s in
      Symbol(address: s.0, name: i < demangled.count && !demangled[i].isEmpty ? demangled[i] : s.1)
    }
  }

  /// The `.ksyms` section: u64 count; {u64 address, u32 nameOffset, u32 nameLength}*; names.
  static func ksymsAssembly(_ symbols: [Symbol]) -> String {
    var s = "    .section .ksyms, \"a\"\n    .align 8\n    .quad \(symbols.count)\n"
    var offset = 0
    var names = [UInt8]()
    for sym in symbols {
      let bytes = Array(sym.name.utf8.prefix(200))
      s += "    .quad 0x\(String(sym.address, radix: 16))\n    .long \(offset), \(bytes.count)\n"
      names += bytes
      offset += bytes.count
    }
    var i = 0
    while i < names.count {
      let chunk = names[i..<min(i + 32, names.count)]
      s += "    .byte " + chunk.map { String($0) }.joined(separator: ",") + "\n"
      i += 32
    }
    return s
  }

  func swiftFiles(under relative: String) throws -> [String] {
    let base = root.appendingPathComponent(relative)
    guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
    return e.compactMap { ($0 as? URL)?.path }.filter { $0.hasSuffix(".swift") }.sorted()
  }

  func toolchainRoot() throws -> URL {
    let swiftc = try locate("swiftc")
    return URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
  }

  func locate(_ tool: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") + ["/opt/swift/usr/bin"] {
      let p = "\(dir)/\(tool)"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    throw Failure.toolMissing(tool)
  }

  @discardableResult
  func run(_ tool: String, _ args: [String], step: String, verbose: Bool) throws -> String {
    if verbose { FileHandle.standardError.write(Data("build: \(step)\n".utf8)) }
    return try capture(tool, args, step: step)
  }

  func capture(_ tool: String, _ args: [String], step: String, stdin: String? = nil) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try locate(tool))
    p.arguments = args
    p.currentDirectoryURL = root
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    let input = Pipe()
    if stdin != nil { p.standardInput = input }
    try p.run()
    if let stdin {
      let h = input.fileHandleForWriting
      DispatchQueue.global().async {
        h.write(Data(stdin.utf8))
        try? h.close()
      }
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard p.terminationStatus == 0 else { throw Failure.stepFailed(step: step, status: p.terminationStatus, output: text) }
    return text
  }
}
