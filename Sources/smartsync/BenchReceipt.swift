import ArgumentParser
import Foundation
import SmartSyncBench
import SmartSyncCore
import SmartSyncStore

extension Bench {
    struct ReceiptBench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "receipt",
            abstract: "Time the ledger's hash chain and one allocation receipt for a fan-out of N copies.",
            discussion: """
                Sets up N copies of one lead in a new SQLite file (or a postgres:// URL's database), commits one lead
                fill's fan-out, then times: chaining the whole ledger so far (the set-up's deposits, transfers and
                its own fan-out, and the batch), chaining one more fan-out's batch of N rows (what the background service does per lead
                fill), and building one copy's receipt (its batch's N rows read back, the Merkle path) and checking it.

                Example:
                  swift run -c release smartsync bench receipt --copies 1000000
                """
        )

        @Option(help: "Copies of the lead.") var copies = 100_000
        @Option(help: "A SQLite file to create (default: a temporary file, removed after), or a postgres:// URL of an empty database.")
        var db: String?

        func run() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smartsync-bench-receipt-\(getpid())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let path = db ?? folder.appendingPathComponent("bench.sqlite").path
            if Terminal.stderrIsTerminal { Terminal.progress("setting up \(copies) copies in \(path)…") }
            let store = try StoreDatabase.open(path)
            guard store.commandCount == 0 else { throw ValidationError("--db \(path) must be empty") }
            try store.executeBatch(try FanOutFixture.commands(copies: copies).map { ($0.0, $0.1, nil) })
            let orders = try FanOutFixture.orders()
            try store.execute(.order(orders[0]), at: Moment(event: 10, time: 0))
            if Terminal.stderrIsTerminal { Terminal.endProgress() }

            let receipts = try store.log.receipts()
            let chainer = LedgerChainer(store: receipts)
            let clock = ContinuousClock()
            var entries = 0
            let all = try await clock.measure { entries = try await chainer.catchUp() }
            try store.execute(.order(orders[1]), at: Moment(event: 11, time: 1))
            let one = try await clock.measure { try await chainer.catchUp() }

            let engine = store.engine
            guard
                let position = (0..<engine.journal.count).last(where: { if case .copyFills = engine.journal[$0] { true } else { false } }),
                case .copyFills(let b) = engine.journal[position]
            else { throw ValidationError("the fan-out produced no copy fills") }
            var receipt: AllocationReceipt?
            var verified = false
            let build = try await clock.measure {
                let hashes = try await receipts.chainHashes(from: position - 1, through: position)
                guard let record = try await receipts.record(position), let hash = hashes[position], let previous = hashes[position - 1]
                else { return }
                let symbol = engine.venue.symbols[b.symbol]
                receipt = AllocationReceipt.build(
                    record,
                    .init(
                        copy: "slot-\(b.slots[0])", fill: 0, slot: Int(b.slots[0]), header: CopyFillHeader(b), time: nil,
                        symbol: symbol.name,
                        qtyStep: symbol.qtyStep, feeRate: engine.settings.takerFeeRate, previousHash: previous, chainHash: hash,
                        key: try await chainer.key()))
                verified = receipt?.verify().allSatisfy(\.ok) ?? false
            }
            guard let receipt, verified else { throw ValidationError("the receipt does not verify") }
            let ms = { (d: Duration) in String(format: "%.1f", Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
            }
            print("copies: \(copies); batch rows: \(b.count); ledger entries chained at first: \(entries)")
            print("chain the whole ledger (set-up and one fan-out): \(ms(all)) ms")
            print("chain one more fan-out's batch (\(b.count) rows): \(ms(one)) ms")
            print(
                "one receipt (read the batch back, Merkle path) and its check: \(ms(build)) ms (path of \(receipt.proof.rowPath.count) hashes)"
            )
        }
    }
}
