import ArgumentParser

/// The `smartsync` command line: a thin shell around the core and its adapters.
@main
struct SmartSyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smartsync",
        abstract: "SmartSync: a spot copy-trading engine (Smart Sync mode).",
        discussion: """
            Examples:
              smartsync simulate Examples/quickstart.json
              smartsync simulate Examples/quickstart.json --json
              smartsync bench fanout --copies 100000
            """,
        subcommands: [Simulate.self, Audit.self, Bench.self, CrashTest.self, CrashTestWorker.self]
    )

    static func main() {
        Terminal.tuneAllocator()
        main(nil)
    }
}
