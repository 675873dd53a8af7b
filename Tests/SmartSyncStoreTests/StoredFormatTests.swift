import Foundation
import GRDB
import SmartSyncCore
import Testing

@testable import SmartSyncStore

/// Pins the text a database keeps, so that renaming a case, a field or an associated label can no longer silently
/// break the databases already written: one stored command of each kind (the `commands.body` JSON, written with
/// sorted keys) and one ledger row of each kind (`ledger.kind` and `ledger.body`, and a `copy_fills` row). A change
/// that fails here needs a migration or a decoder for the old text, not a new expectation.
@Suite("Stored formats")
struct StoredFormatTests {
    static func fixed(_ text: String) -> Fixed { try! Fixed(text) }

    /// One command of each kind with every optional field set, and its stored text.
    static let commands: [(EngineCommand, String)] = [
        (
            .listSymbol(
                try! Symbol(
                    name: "BTC-USDT", qtyStep: fixed("0.00001"), priceTick: fixed("0.01"), minQty: fixed("0.00001"), minNotional: fixed("5")
                ),
                price: fixed("30000"),
                book: BookShape(halfSpread: fixed("0.0001"), levelGap: fixed("0.0002"), levelQuantity: fixed("1.5"), levels: 20)),
            #"{"listSymbol":{"_0":{"minNotional":"5","minQty":"0.00001","priceTick":"0.01","qtyStep":"0.00001","symbol":"BTC-USDT"},"book":{"halfSpread":"0.0001","levelGap":"0.0002","levelQuantity":"1.5","levels":20},"price":"30000"}}"#
        ),
        (.addUser("alice"), #"{"addUser":{"_0":"alice"}}"#),
        (.deposit(user: "alice", amount: fixed("1000.5")), #"{"deposit":{"amount":"1000.5","user":"alice"}}"#),
        (.withdraw(user: "alice", amount: fixed("0.00000001")), #"{"withdraw":{"amount":"0.00000001","user":"alice"}}"#),
        (
            .startLeading(
                user: "alice", portfolio: fixed("500"), profitShareRate: fixed("0.1"), slippageLimit: fixed("0.005"), followerLimit: 50),
            #"{"startLeading":{"followerLimit":50,"portfolio":"500","profitShareRate":"0.1","slippageLimit":"0.005","user":"alice"}}"#
        ),
        (
            .startCopy(
                StartCopyRequest(
                    copyID: "c1", user: "bob", lead: "alice", mode: .fixedAmount, investment: fixed("200"), buyExisting: true,
                    stopLoss: .ratio(fixed("0.2")), takeProfit: .amount(fixed("50")), amountPerOrder: fixed("20"))),
            #"{"startCopy":{"_0":{"amountPerOrder":"20","buyExisting":true,"copyID":"c1","investment":"200","lead":"alice","mode":"fixedAmount","stopLoss":{"ratio":"0.2"},"takeProfit":{"amount":"50"},"user":"bob"}}}"#
        ),
        (
            .order(
                OrderRequest(
                    user: "alice", account: .main, symbol: "BTC-USDT", side: .buy, quoteAmount: fixed("100"), quantity: nil,
                    limitPrice: fixed("29000"))),
            #"{"order":{"_0":{"account":"main","limitPrice":"29000","quoteAmount":"100","side":"buy","symbol":"BTC-USDT","user":"alice"}}}"#
        ),
        (
            .order(OrderRequest(user: "alice", symbol: "BTC-USDT", side: .sell, quantity: fixed("0.001"))),
            #"{"order":{"_0":{"account":"portfolio","quantity":"0.001","side":"sell","symbol":"BTC-USDT","user":"alice"}}}"#
        ),
        (
            .orderFraction(user: "alice", account: .portfolio, symbol: "BTC-USDT", side: .sell, fraction: fixed("0.5")),
            #"{"orderFraction":{"account":"portfolio","fraction":"0.5","side":"sell","symbol":"BTC-USDT","user":"alice"}}"#
        ),
        (.cancelOrder(user: "alice", orderID: 7), #"{"cancelOrder":{"orderID":7,"user":"alice"}}"#),
        (.price(symbol: "BTC-USDT", price: fixed("31000.25")), #"{"price":{"price":"31000.25","symbol":"BTC-USDT"}}"#),
        (
            .transfer(user: "alice", amount: fixed("10"), direction: .mainToPortfolio),
            #"{"transfer":{"amount":"10","direction":"mainToPortfolio","user":"alice"}}"#
        ),
        (.stopCopy(copy: "c1"), #"{"stopCopy":{"copy":"c1"}}"#),
        (.stopCopy(copy: "c1", mode: .closeOnly), #"{"stopCopy":{"copy":"c1","mode":"closeOnly"}}"#),
        (.stopCopy(copy: "c1", mode: .keepHoldings), #"{"stopCopy":{"copy":"c1","mode":"keepHoldings"}}"#),
        (
            .setCopyControls(copy: "c1", CopyControls(pairs: ["BTC-USDT"], maxSymbolWeight: fixed("0.5"), maxOrderAmount: fixed("200"))),
            #"{"setCopyControls":{"_1":{"maxOrderAmount":"200","maxSymbolWeight":"0.5","pairs":["BTC-USDT"]},"copy":"c1"}}"#
        ),
        (.setCopyControls(copy: "c1", nil), #"{"setCopyControls":{"copy":"c1"}}"#),
        (.stopLeading(user: "alice"), #"{"stopLeading":{"user":"alice"}}"#),
        (.removeFollower(user: "alice", copy: "c1"), #"{"removeFollower":{"copy":"c1","user":"alice"}}"#),
        (.adjustInvestment(copy: "c1", delta: fixed("-25")), #"{"adjustInvestment":{"copy":"c1","delta":"-25"}}"#),
        (.setStopLoss(copy: "c1", .amount(fixed("40"))), #"{"setStopLoss":{"_1":{"amount":"40"},"copy":"c1"}}"#),
        (.setStopLoss(copy: "c1", nil), #"{"setStopLoss":{"copy":"c1"}}"#),
        (.setTakeProfit(copy: "c1", .ratio(fixed("0.3"))), #"{"setTakeProfit":{"_1":{"ratio":"0.3"},"copy":"c1"}}"#),
        (
            .updateLead(user: "alice", profitShareRate: fixed("0.08"), slippageLimit: nil, followerLimit: 10),
            #"{"updateLead":{"followerLimit":10,"profitShareRate":"0.08","user":"alice"}}"#
        ),
        (
            .updateSettings(
                takerFeeRate: fixed("0.002"), minInvestment: fixed("50"), maxActiveCopiesPerFollower: 3, defaultFollowerLimit: 100),
            #"{"updateSettings":{"defaultFollowerLimit":100,"maxActiveCopiesPerFollower":3,"minInvestment":"50","takerFeeRate":"0.002"}}"#
        ),
        (.venueMode(.external, orderIDPrefix: "1A2B3C4D"), #"{"venueMode":{"_0":"external","orderIDPrefix":"1A2B3C4D"}}"#),
        (.venueMode(.simulated), #"{"venueMode":{"_0":"simulated"}}"#),
        (.venueSent(clientOrderID: "1A2B3C4D-SS-1"), #"{"venueSent":{"clientOrderID":"1A2B3C4D-SS-1"}}"#),
        (
            .venueReport(
                VenueReport(
                    clientOrderID: "1A2B3C4D-SS-1", kind: .fill, venueOrderID: "V9", executionID: "E1", quantity: fixed("0.002"),
                    price: fixed("30000"), reason: "partial", cumulativeQuantity: fixed("0.002"), possibleDuplicate: true,
                    commission: fixed("0.06"))),
            #"{"venueReport":{"_0":{"clientOrderID":"1A2B3C4D-SS-1","commission":"0.06","cumulativeQuantity":"0.002","executionID":"E1","kind":"fill","possibleDuplicate":true,"price":"30000","quantity":"0.002","reason":"partial","venueOrderID":"V9"}}}"#
        ),
        (
            .venueReport(VenueReport(clientOrderID: "1A2B3C4D-SS-2", kind: .rejected, reason: "no liquidity")),
            #"{"venueReport":{"_0":{"clientOrderID":"1A2B3C4D-SS-2","kind":"rejected","reason":"no liquidity"}}}"#
        ),
        (.executionMode(lead: "alice", .block), #"{"executionMode":{"_1":"block","lead":"alice"}}"#),
        (.executionMode(lead: nil, .follow), #"{"executionMode":{"_1":"follow"}}"#),
    ]

    @Test func eachCommandKeepsItsStoredText() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]  // as both stores write it
        for (command, text) in Self.commands {
            let written = String(decoding: try encoder.encode(command), as: UTF8.self)
            #expect(written == text, "\(command)")
            #expect((try? JSONDecoder().decode(EngineCommand.self, from: Data(text.utf8))) == command, "\(text)")
        }
    }

    /// Texts older builds wrote, which must still open.
    @Test func olderTextsStillDecode() throws {
        let older: [(String, EngineCommand)] = [
            // Before client order ids carried the database's prefix (snapshot format 4 and earlier).
            (#"{"venueMode":{"_0":"external"}}"#, .venueMode(.external))
        ]
        for (text, command) in older {
            #expect((try? JSONDecoder().decode(EngineCommand.self, from: Data(text.utf8))) == command, "\(text)")
        }
    }

    /// A small market run into a SQLite store: the ledger's first row of each kind, and the first copy-fill row.
    @Test func eachLedgerRowKeepsItsStoredText() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("formats.sqlite").path
        let store = try SQLiteStore(path: path)
        let commands: [EngineCommand] = [
            Self.commands[0].0,
            .addUser("alice"), .addUser("bob"),
            .deposit(user: "alice", amount: Self.fixed("1000")), .deposit(user: "bob", amount: Self.fixed("300")),
            .withdraw(user: "bob", amount: Self.fixed("0.5")),
            .startLeading(
                user: "alice", portfolio: Self.fixed("500"), profitShareRate: Self.fixed("0.1"), slippageLimit: nil, followerLimit: nil),
            .startCopy(StartCopyRequest(copyID: "c1", user: "bob", lead: "alice", investment: Self.fixed("250"))),
            .order(OrderRequest(user: "alice", symbol: "BTC-USDT", side: .buy, quoteAmount: Self.fixed("100"))),
        ]
        for (k, command) in commands.enumerated() {
            try store.execute(command, at: Moment(event: k + 1, time: 1_700_000_000_000 + Int64(k) * 1_000))
        }
        let pool = store.log.pool
        let (rows, fill) = try pool.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT seq, command, kind, body FROM ledger ORDER BY seq").map {
                    "\($0["seq"] as Int) \($0["command"] as Int) \($0["kind"] as String) \($0["body"] as String)"
                },
                try Row.fetchOne(db, sql: "SELECT ledger, row, slot, lots, quote, fee, capped FROM copy_fills ORDER BY ledger, row").map {
                    "\($0["ledger"] as Int) \($0["row"] as Int) \($0["slot"] as Int) \($0["lots"] as Int64) \($0["quote"] as Int64) \($0["fee"] as Int64) \($0["capped"] as Int)"
                }
            )
        }
        var firstOfKind: [String: String] = [:]
        for row in rows {
            let kind = String(row.split(separator: " ")[2])
            if firstOfKind[kind] == nil { firstOfKind[kind] = row }
        }
        // By hand: amounts in 1e-8 USDT units; users and symbols by index. The lead buys 100 USDT at the book's best
        // ask 30,003 (30,000 + 0.01%): 0.00333 BTC (333 lots of 0.00001) for 99.90999 USDT, fee 0.1% = 0.09990999.
        // The copy holds 250 of the lead's 500: 0.001665 BTC, floored to 166 lots, 49.80498 USDT, fee 0.04980498.
        #expect(firstOfKind.count == 5, "\(rows)")
        #expect(firstOfKind["deposit"] == "0 3 deposit user=0 amount=100000000000")
        #expect(firstOfKind["withdrawal"] == "2 5 withdrawal user=1 amount=50000000")
        #expect(firstOfKind["transfer"] == "3 6 transfer asset=USDT amount=50000000000 from=main[0] to=lead[0]")
        #expect(
            firstOfKind["trade"]
                == "5 8 trade account=lead[0] symbol=0 side=buy quantity=333000 quote=9990999000 fee=9990999 event=9 time=1700000008000")
        #expect(
            firstOfKind["copyFills"]
                == "6 8 copyFills lead=0 symbol=0 side=buy event=9 time=1700000008000 fill=o1-f1 leadPrice=3000300000000 price=3000300000000 rows=1 shares=0"
        )
        #expect(fill == "6 0 0 166 4980498000 4980498 0")
    }

    /// A copy-fill batch's header reads back from its ledger text (what a copy's pages use once the batch left
    /// memory), a lead fill id with spaces included; other rows' text is not a header.
    @Test func aBatchHeaderReadsBackFromItsLedgerText() throws {
        let stored =
            "lead=0 symbol=0 side=buy event=9 time=1700000008000 fill=o1-f1 leadPrice=3000300000000 price=3000300000000 rows=1 shares=0"
        #expect(
            LedgerRows.header(fromBody: stored)
                == CopyFillHeader(
                    lead: 0, symbol: 0, side: .buy, event: 9, time: 1_700_000_008_000, leadFillID: "o1-f1",
                    leadPrice: Self.fixed("30003"), price: Self.fixed("30003")))
        // The id is whatever sits between `fill=` and ` leadPrice=` (a venue's execution id may hold spaces), and "-"
        // is no lead fill (a stop's liquidation).
        let spaced = "lead=3 symbol=2 side=sell event=41 time=5 fill=VENUE 7/exec id=2 leadPrice=150000000 price=125000000 rows=4 shares=1"
        #expect(
            LedgerRows.header(fromBody: spaced)
                == CopyFillHeader(
                    lead: 3, symbol: 2, side: .sell, event: 41, time: 5, leadFillID: "VENUE 7/exec id=2", leadPrice: Self.fixed("1.5"),
                    price: Self.fixed("1.25")))
        #expect(LedgerRows.header(fromBody: spaced.replacingOccurrences(of: "VENUE 7/exec id=2", with: "-"))?.leadFillID == nil)
        #expect(LedgerRows.header(fromBody: "user=0 amount=100000000000") == nil)
    }
}
