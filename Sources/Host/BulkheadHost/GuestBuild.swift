// The recipe that turns Sources/Guests/SDK + Sources/Guests/<name> into out/guests/<name>.elf.
import Foundation

/// Builds one Embedded Swift PV guest (docs/guests.md).
///
/// Steps: assemble and compile `Sources/Guests/SDK/Arch` with clang; compile the SDK's Swift and
/// the guest's Swift in ONE `swiftc -wmo` call with the Embedded flags (module name = guest name);
/// link with ld.lld and `guest.ld`. When Xen's public headers are installed (libxen-dev), the
/// build first checks the SDK's ABI structs against them (`abi_check.c`, compile-time asserts).
public struct GuestBuild: Sendable {
  /// Repository root (the folder holding Package.swift).
  public var root: URL
  /// Output folder, `out/` under the root by default; guests go to `<outDir>/guests/`.
  public var outDir: URL

  public init(root: URL, outDir: URL? = nil) {
    self.root = root
    self.outDir = outDir ?? root.appendingPathComponent("out")
  }

  /// Why a guest build failed.
  public enum Failure: Error, CustomStringConvertible {
    /// No `Sources/Guests/<name>` folder, or it holds no Swift file.
    case noSuchGuest(String, available: [String])
    /// A step (clang, swiftc, ld.lld) exited non-zero; `output` is what it printed.
    case stepFailed(step: String, status: Int32, output: String)

    public var description: String {
      switch self {
      case .noSuchGuest(let name, let available):
        "guest build: no guest '\(name)' (Sources/Guests/\(name)); available: \(available.joined(separator: ", "))"
      case .stepFailed(let step, let status, let output):
        "guest build: \(step) failed (status \(status))\n\(output)"
      }
    }
  }

  /// Embedded Swift flags for a PV guest: the kernel's, but the small code model, because guests
  /// are linked at 4 MiB (Sources/Guests/SDK/Arch/include/memlayout.h).
  public static let swiftFlags = [
    "-target", "x86_64-unknown-none-elf",
    "-enable-experimental-feature", "Embedded",
    "-wmo", "-parse-as-library", "-Osize",
    "-Xfrontend", "-disable-stack-protector",
    "-Xcc", "-mno-red-zone", "-Xcc", "-mcmodel=small",
    "-Xcc", "-mno-sse", "-Xcc", "-mno-mmx", "-Xcc", "-ffreestanding",
    "-Xcc", "-fno-omit-frame-pointer",
  ]

  public static let clangFlags = [
    "--target=x86_64-unknown-none-elf", "-ffreestanding", "-fno-builtin", "-nostdlib",
    "-mno-red-zone", "-mcmodel=small", "-mno-sse", "-mno-mmx", "-fno-stack-protector",
    "-fno-omit-frame-pointer", "-O2", "-Wall",
  ]

  /// The SDK's assembly and C files, in link order.
  public static let archSources = ["start.S", "hypercall_page.S", "notes.S", "traps.S", "runtime.c"]

  /// Where Xen's public headers live (libxen-dev); the ABI check runs only if they exist.
  public static let xenHeaders = "/usr/include/xen"

  var sdk: URL { root.appendingPathComponent("Sources/Guests/SDK") }
  var arch: URL { sdk.appendingPathComponent("Arch") }

  /// The ELF `build(guest:)` produces for `name`.
  public func elf(for name: String) -> URL {
    outDir.appendingPathComponent("guests/\(name).elf")
  }

  /// Names of the guests in the checkout (every folder under Sources/Guests except SDK).
  public func availableGuests() -> [String] {
    let base = root.appendingPathComponent("Sources/Guests")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
    return names.filter { $0 != "SDK" && !$0.hasPrefix(".") }.sorted()
  }

  /// Builds guest `name`; returns the path of its ELF.
  public func build(guest name: String, verbose: Bool = false) throws -> URL {
    let tools = BuildTools(root: root)
    let guestDir = root.appendingPathComponent("Sources/Guests/\(name)")
    let guestSources = tools.swiftFiles(under: guestDir)
    guard name != "SDK", !name.contains("/"), !guestSources.isEmpty else {
      throw Failure.noSuchGuest(name, available: availableGuests())
    }
    let obj = outDir.appendingPathComponent("guests/obj/\(name)")
    try FileManager.default.createDirectory(at: obj, withIntermediateDirectories: true)
    let include = arch.appendingPathComponent("include")

    if FileManager.default.fileExists(atPath: "\(Self.xenHeaders)/xen.h") {
      try tools.run(
        "clang", Self.clangFlags + ["-I", include.path, "-I", "/usr/include", "-fsyntax-only",
                                    arch.appendingPathComponent("abi_check.c").path],
        step: "ABI check against \(Self.xenHeaders)", verbose: verbose)
    }

    var objects: [String] = []
    for file in Self.archSources {
      let o = obj.appendingPathComponent(file + ".o").path
      try tools.run(
        "clang", Self.clangFlags + ["-I", arch.path, "-I", include.path, "-c", arch.appendingPathComponent(file).path, "-o", o],
        step: "clang \(file)", verbose: verbose)
      objects.append(o)
    }

    let swiftSources = tools.swiftFiles(under: sdk.appendingPathComponent("Swift")) + guestSources
    let guestObject = obj.appendingPathComponent("guest.o").path
    try tools.run(
      "swiftc", Self.swiftFlags + ["-I", include.path, "-module-name", name, "-c"] + swiftSources + ["-o", guestObject],
      step: "swiftc (Embedded, \(swiftSources.count) files)", verbose: verbose)
    objects.append(guestObject)

    let unicode = try tools.toolchainRoot()
      .appendingPathComponent("lib/swift/embedded/x86_64-unknown-none-elf/libswiftUnicodeDataTables.a").path
    let output = elf(for: name)
    try tools.run(
      "ld.lld", ["-T", arch.appendingPathComponent("guest.ld").path, "-nostdlib", "-static",
                 "-z", "max-page-size=4096", "--gc-sections", "-e", "_start"] + objects + [unicode, "-o", output.path],
      step: "ld.lld", verbose: verbose)
    return output
  }
}

/// Finding and running the toolchain's programs (clang, swiftc, ld.lld) for `GuestBuild`.
struct BuildTools {
  var root: URL

  /// Swift files under `dir`, sorted, so the build is deterministic.
  func swiftFiles(under dir: URL) -> [String] {
    guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return [] }
    return e.compactMap { ($0 as? URL)?.path }.filter { $0.hasSuffix(".swift") }.sorted()
  }

  /// The toolchain's `usr` folder (the parent of the `bin` holding swiftc).
  func toolchainRoot() throws -> URL {
    URL(fileURLWithPath: try locate("swiftc")).resolvingSymlinksInPath()
      .deletingLastPathComponent().deletingLastPathComponent()
  }

  /// `tool` on PATH, else in /opt/swift/usr/bin.
  func locate(_ tool: String) throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") + ["/opt/swift/usr/bin"] {
      let p = "\(dir)/\(tool)"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    throw GuestBuild.Failure.stepFailed(
      step: tool, status: 127, output: "\(tool) not found (install Swift 6.3; /opt/swift/usr/bin must be on PATH)")
  }

  /// Runs `tool args`, printing the step name first when `verbose`; throws with its output on failure.
  @discardableResult
  func run(_ tool: String, _ args: [String], step: String, verbose: Bool) throws -> String {
    if verbose { FileHandle.standardError.write(Data("guest build: \(step)\n".utf8)) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: try locate(tool))
    p.arguments = args
    p.currentDirectoryURL = root
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard p.terminationStatus == 0 else {
      throw GuestBuild.Failure.stepFailed(step: step, status: p.terminationStatus, output: text)
    }
    return text
  }
}
