// The `bulkhead` command: build, boot, package, and measure the hypervisor.
//
// One file per subcommand. To add one (e.g. `replay`, `prove`), write `ReplayCommand.swift` with a
// `ParsableCommand` and add it to the `subcommands:` list below; nothing else needs to change.
import ArgumentParser

@main
struct Bulkhead: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bulkhead",
    abstract: "Build, boot and check the Bulkhead hypervisor.",
    subcommands: [
      BuildCommand.self,
      RunCommand.self,
      ISOCommand.self,
      BenchCommand.self,
      Prove.self,
      Replay.self,
      Guest.self,
    ])
}
