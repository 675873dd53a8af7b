import ArgumentParser
import Foundation
import SmartSyncCore
import SmartSyncScenario
import SmartSyncStore
import SmartSyncViews

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario file (DESIGN §7) and print its report.",
        discussion: """
            Prints a readable summary, or the JSON report with --json. Exit 0 on success, 1 when the final audit
            is not balanced, 2 for a bad scenario (the message names the event index and field).

            With --db the scenario runs against a new database (a SQLite file, or a PostgreSQL database named by a
            postgres:// URL; DATABASE_URL when set and --db is not given): every event is committed as it is applied,
            and `smartsync audit --db ...` checks it afterwards.

            Examples:
              smartsync simulate Examples/quickstart.json --json
              smartsync simulate Examples/quickstart.json --db /tmp/quickstart.sqlite
              smartsync simulate Examples/quickstart.json --db postgres://postgres:secret@127.0.0.1:5432/quickstart
              smartsync simulate Examples/quickstart.json --statement alice-trend --from 2021-01-01 --to 2021-01-31

            With --statement COPY it prints that copy's statement as CSV instead (the columns of
            GET /v1/copies/{id}/statement.csv): every line from --from (a date or an ISO 8601 time) until --to (not
            included; a date includes its day), with the copy's cash and holdings at both ends.
            """
    )

    @Argument(help: "The scenario JSON file.")
    var file: String

    @Flag(help: "Print the JSON report instead of the summary.")
    var json = false

    @Option(
        help:
            "Run against this database: a SQLite file or a postgres:// URL (created if missing; must hold no commands yet; env DATABASE_URL)."
    )
    var db: String?

    @Option(help: "Print this copy's statement as CSV instead of the report.")
    var statement: String?

    @Option(help: "With --statement: from this date or time on (ISO 8601).")
    var from: String?

    @Option(help: "With --statement: until this date (included) or time (not included).")
    var to: String?

    func validate() throws {
        if statement == nil && (from != nil || to != nil) { throw ValidationError("--from and --to go with --statement") }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, ISO8601.parse(value) == nil {
                throw ValidationError("\(name) must be an ISO 8601 date (2021-05-01) or time (2021-05-01T12:00:00Z), not \"\(value)\"")
            }
        }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            Terminal.error("error: cannot read \(file)")
            throw ExitCode(2)
        }
        let scenario: Scenario
        do {
            let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
            scenario = try Scenario(json: data, directory: directory)
        } catch {
            Terminal.error("error: \(file): \(error)")
            throw ExitCode(2)
        }
        let engine: Engine
        if let db = StoreDatabase.location(db, environment: ProcessInfo.processInfo.environment) {
            let store: Store
            do {
                store = try StoreDatabase.open(db, settings: scenario.settings)
            } catch {
                Terminal.error("error: \(error)")
                throw ExitCode(2)
            }
            guard store.commandCount == 0 else {
                Terminal.error(
                    "error: \(store.log.location) already holds \(store.commandCount) commands; run a scenario against a new database")
                throw ExitCode(2)
            }
            engine = try run(ScenarioPlayer(scenario, host: store))
        } else {
            engine = try run(ScenarioPlayer(scenario, host: MemoryHost(engine: Engine(settings: scenario.settings))))
        }
        if let statement {
            guard let ref = engine.copy(named: statement) else {
                Terminal.error("error: the scenario has no copy \"\(statement)\"")
                throw ExitCode(2)
            }
            let to = self.to.flatMap { text in ISO8601.parse(text).map { text.count == 10 ? $0 + 86_400_000 : $0 } }
            let lines = engine.copyStatement(ref, from: from.flatMap(ISO8601.parse), to: to)
            let leadFills = Dictionary(engine.leadFills.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            print(CopyStatementReport(lines, leadFills: leadFills).csv, terminator: "")
        } else {
            print(json ? ScenarioReport.json(engine).serialized() : ScenarioReport.summary(engine))
        }
        if !engine.audit().balanced { throw ExitCode(1) }
    }

    /// Plays every event; a bad scenario exits 2 with the event and field, a storage failure exits 1.
    func run<Host: EngineHost>(_ make: @autoclosure () throws -> ScenarioPlayer<Host>) throws -> Engine {
        do {
            var player = try make()
            let showProgress = Terminal.stderrIsTerminal && player.scenario.events.count >= 10_000
            try player.runAll(progress: showProgress ? { Terminal.progress("event \($0) of \($1)") } : nil)
            if showProgress { Terminal.endProgress() }
            return player.engine
        } catch let error as ScenarioError {
            Terminal.error("error: \(file): \(error)")
            throw ExitCode(2)
        } catch {
            Terminal.error("error: \(error)")
            throw ExitCode(1)
        }
    }
}
