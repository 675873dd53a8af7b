import SmartSyncCore
import SmartSyncFIX
import Testing

@Suite("FIX order messages")
struct FIXOrdersTests {
    static let t: Int64 = 1_796_284_800_000  // 2026-12-03 08:00:00 UTC

    @Test func aLimitOrderIsWrittenFieldByField() throws {
        let m = try FIXOrders.newOrderSingle(
            clientOrderID: "L0-12-3", symbol: "BTC-USDT", side: .sell, size: .quantity(try Fixed("0.00125")),
            kind: .limit(try Fixed("60123.45")), transactTime: Self.t)
        // Length and checksum worked out apart from this code (a Python one-liner summing the bytes).
        #expect(
            m.readable
                == "8=FIX.4.4|9=96|35=D|11=L0-12-3|21=1|55=BTC-USDT|54=2|60=20261203-08:00:00.000|38=0.00125|40=2|44=60123.45|59=1|10=058|")
        let ioc = try FIXOrders.newOrderSingle(
            clientOrderID: "C1", symbol: "ETH-USDT", side: .buy, size: .quantity(Fixed(2)), kind: .immediateOrCancel(Fixed(3000)),
            transactTime: Self.t)
        #expect(ioc[40] == "2" && ioc[44] == "3000" && ioc[59] == "3" && ioc[54] == "1")
        let byQuote = try FIXOrders.newOrderSingle(
            clientOrderID: "C2", symbol: "ETH-USDT", side: .buy, size: .quote(Fixed(250)), kind: .market, transactTime: Self.t)
        #expect(byQuote[152] == "250" && byQuote[38] == nil && byQuote[40] == "1" && byQuote[44] == nil)
    }

    @Test func sizesAndPricesThatMakeNoSenseAreNotSent() {
        #expect(throws: FIXError.self) {
            _ = try FIXOrders.newOrderSingle(
                clientOrderID: "x", symbol: "ETH-USDT", side: .sell, size: .quote(Fixed(5)), kind: .market, transactTime: 0)
        }
        #expect(throws: FIXError.self) {
            _ = try FIXOrders.newOrderSingle(
                clientOrderID: "x", symbol: "ETH-USDT", side: .buy, size: .quote(Fixed(5)), kind: .limit(Fixed(1)), transactTime: 0)
        }
        #expect(throws: FIXError.self) {
            _ = try FIXOrders.newOrderSingle(
                clientOrderID: "x", symbol: "ETH-USDT", side: .buy, size: .quantity(.zero), kind: .market, transactTime: 0)
        }
        #expect(throws: FIXError.self) {
            _ = try FIXOrders.newOrderSingle(
                clientOrderID: "x", symbol: "ETH-USDT", side: .buy, size: .quantity(Fixed(1)), kind: .limit(.zero), transactTime: 0)
        }
    }

    static func report(_ fields: [FIXMessage.Field]) throws -> FIXOrders.Report {
        try #require(try FIXOrders.report(FIXMessage([.init(35, "8")] + fields)))
    }

    @Test func executionReportsBecomeEvents() throws {
        let accepted = try Self.report([.init(37, "V9"), .init(11, "L1"), .init(150, "0"), .init(39, "0")])
        #expect(accepted.clientOrderID == "L1" && accepted.event == .accepted(venueOrderID: "V9") && accepted.venueStatus == .accepted)
        let trade = try Self.report([
            .init(11, "L1"), .init(17, "E5"), .init(150, "F"), .init(39, "1"), .init(32, "0.75"), .init(31, "2000.01"),
            .init(12, "1.500015"), .init(13, "3"),
        ])
        #expect(
            trade.event == .fill(executionID: "E5", quantity: try Fixed("0.75"), quote: try Fixed("1500.0075"), fee: try Fixed("1.500015")))
        #expect(trade.venueStatus == .partiallyFilled)
        // A commission that is not an absolute amount is not taken as the fee.
        let percent = try Self.report([
            .init(11, "L1"), .init(17, "E6"), .init(150, "F"), .init(32, "1"), .init(31, "2"), .init(12, "0.1"), .init(13, "2"),
        ])
        #expect(percent.event == .fill(executionID: "E6", quantity: Fixed(1), quote: Fixed(2), fee: .zero))
        let cancelled = try Self.report([.init(11, "L1-c"), .init(41, "L1"), .init(150, "4"), .init(39, "4")])
        #expect(cancelled.clientOrderID == "L1" && cancelled.event == .cancelled)
        #expect(
            try Self.report([.init(11, "L2"), .init(150, "8"), .init(58, "unknown symbol")]).event == .rejected(reason: "unknown symbol"))
        #expect(try Self.report([.init(11, "L3"), .init(150, "C"), .init(39, "C")]).event == .expired)
        let status = try Self.report([.init(11, "L4"), .init(150, "I"), .init(39, "2")])
        #expect(status.event == nil && status.venueStatus == .filled)
    }

    @Test func reportsWhoseNumbersCannotBeHeldExactlyAreRefused() {
        #expect(throws: FIXError.self) {
            _ = try Self.report([.init(11, "L1"), .init(17, "E1"), .init(150, "F"), .init(32, "1e3"), .init(31, "2")])
        }
        #expect(throws: FIXError.self) {
            _ = try Self.report([.init(11, "L1"), .init(17, "E1"), .init(150, "F"), .init(32, "0.000000001"), .init(31, "2")])
        }
        #expect(throws: FIXError.self) { _ = try Self.report([.init(11, "L1"), .init(150, "F"), .init(32, "1"), .init(31, "2")]) }
    }

    @Test func cancelRejectsAndRejectsAreReadToo() throws {
        let cancelReject = try #require(
            try FIXOrders.report(FIXMessage([.init(35, "9"), .init(11, "L1-c"), .init(41, "L1"), .init(39, "2"), .init(58, "too late")])))
        #expect(
            cancelReject.clientOrderID == "L1" && cancelReject.event == .cancelRejected(reason: "too late")
                && cancelReject.venueStatus == .filled)
        let reject = try #require(
            try FIXOrders.report(FIXMessage([.init(35, "3"), .init(45, "7"), .init(58, "Value is incorrect"), .init(373, "5")])))
        #expect(reject.refusal == "session Reject of our message 7: Value is incorrect (reason 5)" && reject.event == nil)
        #expect(reject.refSeqNum == 7)
        let business = try #require(
            try FIXOrders.report(
                FIXMessage([.init(35, "j"), .init(45, "8"), .init(372, "F"), .init(380, "3"), .init(58, "Unsupported Message Type")])))
        #expect(business.refusal?.contains("BusinessMessageReject of our F message 8") == true)
        #expect(business.refSeqNum == 8 && business.refMsgType == "F")
        #expect(try FIXOrders.report(FIXMessage([.init(35, "0")])) == nil)
    }
}
