import ArgumentParser
import Foundation

/// The `smartsync` command line: a thin shell around the core and its adapters.
@main
struct SmartSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smartsync",
        abstract: "SmartSync: a spot copy-trading engine (Smart Sync mode).",
        discussion: """
            Examples:
              smartsync serve --demo
              smartsync simulate Examples/quickstart.json
              smartsync simulate Examples/quickstart.json --json
              smartsync bench fanout --copies 100000
              smartsync audit --db smartsync.sqlite
              smartsync keys issue --operator
            """,
        version: SmartSyncCommand.version,
        subcommands: [Serve.self, Simulate.self, Audit.self, Keys.self, Bench.self, CrashTest.self, CrashTestWorker.self]
    )

    /// The release of this build.
    static let version = "0.3.0"

    static func main() async {
        if ProcessInfo.processInfo.environment["SMARTSYNC_TUNE_MALLOC"] != "0" { Terminal.tuneAllocator() }
        await main(nil)
    }
}
