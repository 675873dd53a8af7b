import ArgumentParser
import Foundation
import SmartSyncCore
import SmartSyncViews

struct VerifyReceipt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-receipt",
        abstract: "Check a copy fill's allocation receipt offline.",
        discussion: """
            Reads a receipt saved from GET /v1/copies/{id}/fills/{n}/receipt and checks it alone, with no server and
            no database: every largest-remainder step of the copy's lots, quote and fee (floor, remainder, the unit
            it got against the cutoff, the fee below the copy's stand-alone fee), that the totals and the row are the
            ones the ledger entry commits to, the row's Merkle path to the entry's rowsRoot (and the profit share's to
            sharesRoot), and the chain link SHA-256(previousHash ‖ SHA-256(entry)) = chainHash. Keep the chainHash of
            receipts you verified: a changed past ledger entry changes every later chain hash, so a receipt fetched
            again no longer matches. Exit 0 when every check holds, 1 when one fails, 2 when the file cannot be read.

            Examples:
              curl -s -H "Authorization: Bearer $KEY" localhost:8080/v1/copies/alice-trend/fills/0/receipt > r.json
              smartsync verify-receipt r.json
              smartsync verify-receipt r.json --json
            """
    )

    @Argument(help: "The receipt (JSON), or - for standard input.")
    var file: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let data: Data
        let receipt: AllocationReceipt
        do {
            data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            receipt = try JSONDecoder().decode(AllocationReceipt.self, from: data)
        } catch {
            Terminal.error("cannot read the receipt \(file): \(error)")
            throw ExitCode(2)
        }
        let checks = receipt.verify()
        let failed = checks.filter { !$0.ok }
        if json {
            let items: [JSONValue] = checks.map { c in
                .object([("check", .string(c.name)), ("ok", .bool(c.ok))] + (c.ok ? [] : [("detail", .string(c.detail))]))
            }
            print(JSONValue.object([("ok", .bool(failed.isEmpty)), ("checks", .array(items))]).serialized())
        } else {
            print("receipt of \(receipt.copy) fill \(receipt.fill) (ledger entry \(receipt.ledger), \(receipt.side) \(receipt.symbol))")
            for c in checks { print("  \(c.ok ? "ok  " : "FAIL") \(c.name)\(c.ok ? "" : ": \(c.detail)")") }
            print(failed.isEmpty ? "verified: \(checks.count) checks hold" : "NOT verified: \(failed.count) of \(checks.count) checks fail")
        }
        if !failed.isEmpty { throw ExitCode(1) }
    }
}
