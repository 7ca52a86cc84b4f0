// Boots one QEMU machine, streams and captures its serial console, and enforces a timeout.
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Everything one boot produced.
public struct BootResult: Sendable {
  /// The full command line that ran, `qemu-system-x86_64` first.
  public var command: [String]
  /// Everything the guest wrote to the first serial port.
  public var transcript: String
  /// What QEMU wrote to its own stderr (warnings, option errors).
  public var qemuDiagnostics: String
  /// QEMU's raw exit status (or the signal number, negated, when it died from a signal).
  public var qemuStatus: Int32
  /// Whether the host killed QEMU because the timeout expired.
  public var timedOut: Bool
  /// Host wall time from starting QEMU to its exit.
  public var wallTime: Duration
  /// Host wall time from starting QEMU to the first serial byte; `nil` if the guest printed nothing.
  public var timeToFirstSerialByte: Duration?

  /// The guest's verdict decoded from `qemuStatus` (see `GuestExit`).
  public var guest: GuestStatus { GuestStatus(qemuStatus: qemuStatus, timedOut: timedOut) }

  /// The transcript split into lines, carriage returns removed.
  public var lines: [String] {
    transcript.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
      .map(String.init)
  }
}

/// Why QEMU could not be started at all. A guest failure is not an error: it is in `BootResult.guest`.
public enum QEMURunError: Error, CustomStringConvertible {
  /// A required tool is missing.
  case tool(ToolCheckError)
  /// The configuration cannot be turned into a command line.
  case config(QEMUConfigError)
  /// A file the boot needs (kernel, ISO, module) does not exist.
  case missingFile(URL)
  /// `Process.run` failed (e.g. permission denied).
  case launchFailed(String)

  public var description: String {
    switch self {
    case .tool(let e): e.description
    case .config(let e): e.description
    case .missingFile(let url): "no such file: \(url.path)"
    case .launchFailed(let why): "could not start QEMU: \(why)"
    }
  }
}

/// Runs QEMU under TCG for one boot.
public struct QEMURunner: Sendable {
  /// Finds `qemu-system-x86_64`.
  public var tools: ToolCheck
  /// When true, serial output is copied to this process's stdout as it arrives.
  public var echoSerial: Bool

  public init(tools: ToolCheck = ToolCheck(), echoSerial: Bool = false) {
    self.tools = tools
    self.echoSerial = echoSerial
  }

  /// The full command line for `config`, without running it.
  public func command(for config: QEMUConfig) throws(QEMURunError) -> [String] {
    let qemu: URL
    do { qemu = try tools.locate(.qemu) } catch { throw .tool(error) }
    do { return [qemu.path] + (try config.arguments()) } catch { throw .config(error) }
  }

  /// Boots `config` and waits until the guest exits or the timeout kills QEMU.
  public func run(_ config: QEMUConfig) throws(QEMURunError) -> BootResult {
    for file in Self.inputFiles(config.medium) where !FileManager.default.fileExists(atPath: file.path) {
      throw .missingFile(file)
    }
    let command = try command(for: config)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    // stdin must not be a terminal, or QEMU puts it in raw mode; nothing is ever typed into the guest.
    process.standardInput = FileHandle.nullDevice
    let serialPipe = Pipe()
    let diagPipe = Pipe()
    process.standardOutput = serialPipe
    process.standardError = diagPipe

    var logHandle: FileHandle? = nil
    if let log = config.serialLog {
      _ = FileManager.default.createFile(atPath: log.path, contents: nil)
      logHandle = try? FileHandle(forWritingTo: log)
    }
    let serial = StreamCollector(echo: echoSerial ? FileHandle.standardOutput : nil, log: logHandle)
    let diag = StreamCollector(echo: nil, log: nil)
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }

    let clock = ContinuousClock()
    let start = clock.now
    serial.start = start
    do { try process.run() } catch { throw .launchFailed("\(error)") }
    let serialDone = serial.drain(serialPipe.fileHandleForReading, clock: clock)
    let diagDone = diag.drain(diagPipe.fileHandleForReading, clock: clock)

    var timedOut = false
    if exited.wait(timeout: .now() + config.timeoutSeconds) == .timedOut {
      timedOut = true
      // SIGTERM first, so QEMU exits cleanly. QEMU inherits the signal mask of the spawning thread, and
      // Dispatch/test-runner threads block SIGTERM, so fall back to SIGKILL soon.
      process.terminate()
      if exited.wait(timeout: .now() + 0.5) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        exited.wait()
      }
    }
    let end = clock.now
    // The pipes reach EOF once QEMU (their only writer) is gone.
    serialDone.wait()
    diagDone.wait()
    try? logHandle?.close()

    let status =
      process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    return BootResult(
      command: command,
      transcript: serial.text,
      qemuDiagnostics: diag.text,
      qemuStatus: status,
      timedOut: timedOut,
      wallTime: end - start,
      timeToFirstSerialByte: serial.firstByte.map { $0 - start })
  }

  /// The files `medium` reads, checked before starting QEMU so a typo is not reported as a guest failure.
  static func inputFiles(_ medium: BootMedium) -> [URL] {
    switch medium {
    case .kernel(let elf, let modules, _): [elf] + modules.map(\.file)
    case .cdrom(let iso), .uefi(let iso): [iso]
    }
  }
}

/// Reads one pipe to EOF on its own thread, keeping every byte and the arrival time of the first.
/// Shared between the reader thread and the caller; every field is guarded by `lock`.
private final class StreamCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var bytes = Data()
  private var first: ContinuousClock.Instant?
  private let echo: FileHandle?
  private let log: FileHandle?
  var start: ContinuousClock.Instant?

  init(echo: FileHandle?, log: FileHandle?) {
    self.echo = echo
    self.log = log
  }

  /// Starts the reader thread; the returned semaphore is signalled at EOF.
  func drain(_ handle: FileHandle, clock: ContinuousClock) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    let thread = Thread { [self] in
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        let now = clock.now
        lock.withLock {
          if first == nil { first = now }
          bytes.append(chunk)
        }
        echo?.write(chunk)
        log?.write(chunk)
      }
      done.signal()
    }
    thread.start()
    return done
  }

  var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
  var firstByte: ContinuousClock.Instant? { lock.withLock { first } }
}
