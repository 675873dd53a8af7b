import ArgumentParser
import Foundation
import SmartSyncCore
import SmartSyncScenario

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario file (DESIGN §7) and print its report.",
        discussion: """
            Prints a readable summary, or the JSON report with --json. Exit 0 on success, 1 when the final audit
            is not balanced, 2 for a bad scenario (the message names the event index and field).

            Example:
              smartsync simulate Examples/quickstart.json --json
            """
    )

    @Argument(help: "The scenario JSON file.")
    var file: String

    @Flag(help: "Print the JSON report instead of the summary.")
    var json = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            Terminal.error("error: cannot read \(file)")
            throw ExitCode(2)
        }
        let runner: ScenarioRunner
        do {
            let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
            var r = try ScenarioRunner(try Scenario(json: data, directory: directory))
            let showProgress = Terminal.stderrIsTerminal && r.scenario.events.count >= 10_000
            try r.runAll(progress: showProgress ? { Terminal.progress("event \($0) of \($1)") } : nil)
            if showProgress { Terminal.endProgress() }
            runner = r
        } catch {
            Terminal.error("error: \(file): \(error)")
            throw ExitCode(2)
        }
        print(json ? ScenarioReport.json(runner.engine).serialized() : ScenarioReport.summary(runner.engine))
        if !runner.engine.audit().balanced { throw ExitCode(1) }
    }
}
