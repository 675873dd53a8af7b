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
        subcommands: [
            Serve.self, Simulate.self, Audit.self, VerifyReceipt.self, Keys.self, Bench.self, CrashTest.self, CrashTestWorker.self,
            CrashTestVenueWorker.self,
        ]
    )

    /// The release of this build.
    static let version = "0.3.0"

    static func main() async {
        // The glibc tuning helps the in-memory fan-out bench (warm pages for its large per-fill arrays) and costs a
        // server memory it never gives back (measured with `bench soak`, BENCHMARKS.md): only `bench fanout` uses it
        // unless SMARTSYNC_TUNE_MALLOC says otherwise (1: always, 0: never). Everything else returns large blocks to
        // the kernel when they are freed (a server's columns and their copy-on-write copies; BENCHMARKS.md).
        let tune = ProcessInfo.processInfo.environment["SMARTSYNC_TUNE_MALLOC"]
        if tune == "1" || (tune != "0" && Array(CommandLine.arguments.dropFirst().prefix(2)) == ["bench", "fanout"]) {
            Terminal.tuneAllocator()
        } else if tune != "0" {
            Terminal.returnLargeBlocks()
        }
        await main(nil)
    }
}
