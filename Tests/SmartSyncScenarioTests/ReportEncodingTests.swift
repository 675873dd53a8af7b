import Foundation
import SmartSyncCore
import Testing

@testable import SmartSyncViews

/// The report's types are written two ways: by `JSONValueEncoder` (the scenario report, fields in declared order) and
/// by Foundation's encoder (the API). Both must write the same fields and the same nulls.
@Suite struct ReportEncodingTests {
    struct Inner: Encodable {
        var b: Int
        var a: String
    }
    struct Sample: Encodable {
        var z: Fixed
        var y: Inner
        var x: [Int64]
        var absent: Int?
        @EncodesNull var null: String? = nil
        var threeWays: String??
        var flag: Bool
    }

    @Test func fieldsKeepTheirDeclaredOrderAndNullsAreWrittenWhereDeclared() throws {
        let sample = Sample(
            z: Fixed(units: 150_000_000), y: Inner(b: 2, a: "a"), x: [3, -4], absent: nil, null: nil, threeWays: .some(nil), flag: true)
        let value = try JSONValueEncoder().encode(sample)
        #expect(
            value.compact() == #"{"z":"1.5","y":{"b":2,"a":"a"},"x":[3,-4],"null":null,"threeWays":null,"flag":true}"#)
        // Foundation writes the same object (in its own key order).
        let foundation = try JSONSerialization.jsonObject(with: JSONEncoder().encode(sample)) as? NSDictionary
        let ours = try JSONSerialization.jsonObject(with: Data(value.compact().utf8)) as? NSDictionary
        #expect(foundation != nil && foundation == ours)
        // Given values are written; the double optional left nil is left out.
        var given = sample
        (given.null, given.threeWays, given.absent) = ("n", nil, 7)
        #expect(
            try JSONValueEncoder().encode(given).compact()
                == #"{"z":"1.5","y":{"b":2,"a":"a"},"x":[3,-4],"absent":7,"null":"n","flag":true}"#)
    }

    /// Every integer type is written as a number; one too large for an Int is refused, not wrapped.
    @Test func integersOfEveryWidth() throws {
        struct Widths: Encodable {
            var a: UInt8 = 255
            var b: Int16 = -3
            var c: UInt64 = 7
        }
        #expect(try JSONValueEncoder().encode(Widths()).compact() == #"{"a":255,"b":-3,"c":7}"#)
        struct Huge: Encodable { var n = UInt64.max }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Huge()) }
    }

    /// A second nested container for one key adds to the first (as Foundation's encoder does).
    @Test func nestedContainersForOneKeyMerge() throws {
        struct Twice: Encodable {
            enum Outer: String, CodingKey { case inner }
            enum Inner: String, CodingKey { case x, y }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Outer.self)
                var first = outer.nestedContainer(keyedBy: Inner.self, forKey: .inner)
                try first.encode(1, forKey: .x)
                var second = outer.nestedContainer(keyedBy: Inner.self, forKey: .inner)
                try second.encode(2, forKey: .y)
            }
        }
        #expect(try JSONValueEncoder().encode(Twice()).compact() == #"{"inner":{"x":1,"y":2}}"#)
    }

    @Test func floatingPointIsRefused() {
        struct Money: Encodable { var amount = 0.1 }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Money()) }
    }

    /// A copy's history item for each kind of change: the thresholds are written (null when cleared) only by the
    /// items that set them.
    @Test func historyItemsWriteTheFieldsOfTheirKind() throws {
        let set = CopyHistoryItem(event: 3, time: nil, kind: .change(.stopLossSet(nil)), netInvestedAfter: Fixed(100))
        #expect(
            try JSONValueEncoder().encode(CopyHistoryReport(set, n: 1)).compact()
                == #"{"n":1,"event":3,"time":null,"type":"stopLossSet","stopLoss":null,"netInvested":"100"}"#)
        let started = CopyHistoryItem(
            event: 1, time: 0, kind: .change(.startedWith(stopLoss: .ratio(Fixed(units: 10_000_000)), takeProfit: nil)),
            netInvestedAfter: Fixed(100))
        #expect(
            try JSONValueEncoder().encode(CopyHistoryReport(started)).compact()
                == #"{"event":1,"time":"1970-01-01T00:00:00Z","type":"startedWith","stopLoss":{"ratio":"0.1"},"takeProfit":null,"netInvested":"100"}"#
        )
    }

    /// A statement's text cells that a spreadsheet would read as a formula get a `'` first; fields with a comma or a
    /// quote are quoted (RFC 4180).
    @Test func csvCellsAreNeverFormulas() {
        #expect(CopyStatementReport.text("=HYPERLINK(1)") == "'=HYPERLINK(1)" && CopyStatementReport.text("@x") == "'@x")
        #expect(CopyStatementReport.text("o1-f1") == "o1-f1" && CopyStatementReport.text("") == "")
        #expect(CopyStatementReport.csvField("a,b") == "\"a,b\"" && CopyStatementReport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
    }
}
