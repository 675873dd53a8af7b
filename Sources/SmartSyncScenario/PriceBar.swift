import SmartSyncCore
import SmartSyncViews

/// One OHLCV bar of a price CSV (`time,open,high,low,close,volume`, as in the shipped `Data/` files).
public struct PriceBar: Sendable, Hashable {
    public var time: Int64
    public var open: Fixed
    public var high: Fixed
    public var low: Fixed
    public var close: Fixed

    /// A CSV error: the 1-based line and what is wrong with it.
    public struct CSVError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses the CSV; bars must be in time order.
    public static func parseCSV(_ data: some Collection<UInt8>) throws(CSVError) -> [PriceBar] {
        let text = String(decoding: data, as: UTF8.self)
        var bars: [PriceBar] = []
        var columns: [String: Int] = [:]
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: " \r\t")
            if line.isEmpty { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
            if columns.isEmpty {
                for (k, name) in cells.enumerated() { columns[name.lowercased()] = k }
                for needed in ["time", "open", "high", "low", "close"] where columns[needed] == nil {
                    throw CSVError(line: n + 1, message: "the header has no \"\(needed)\" column")
                }
                continue
            }
            func cell(_ name: String) throws(CSVError) -> String {
                let k = columns[name]!
                guard k < cells.count else { throw CSVError(line: n + 1, message: "missing \(name)") }
                return cells[k]
            }
            guard let time = ISO8601.parse(try cell("time")) else {
                throw CSVError(line: n + 1, message: "time \"\(try cell("time"))\" is not ISO 8601")
            }
            func price(_ name: String) throws(CSVError) -> Fixed {
                let text = try cell(name)
                do { return try Fixed(text) } catch { throw CSVError(line: n + 1, message: "\(name): \(error.description)") }
            }
            let bar = PriceBar(
                time: time, open: try price("open"), high: try price("high"), low: try price("low"), close: try price("close"))
            if let last = bars.last, bar.time <= last.time {
                throw CSVError(line: n + 1, message: "bars must be in increasing time order")
            }
            bars.append(bar)
        }
        return bars
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
