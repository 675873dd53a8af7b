import Foundation
import SmartSyncCore
import SmartSyncViews

#if canImport(FoundationEssentials)
    import FoundationEssentials
#endif

/// A bad scenario: the path of the offending field (`events[3].quoteAmount`) and the rule it broke.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// The event's number, when the error is inside an event.
    public var event: Int?

    public init(path: String, _ message: String, event: Int? = nil) {
        self.path = path
        self.message = message
        self.event = event
    }

    public var description: String { "\(path): \(message)" }
}

/// A listed symbol with its first price and optional synthetic book.
public struct ScenarioSymbol: Sendable {
    public var symbol: Symbol
    public var price: Fixed
    public var book: BookShape?
}

/// One event of a scenario file; `index` is its number in file order (reports refer to it).
public struct ScenarioEvent: Sendable {
    public enum Kind: Sendable {
        /// One engine command.
        case command(EngineCommand)
        /// Closes read from a CSV file: one mark update per bar, each at the bar's time.
        case priceBars(symbol: String, bars: [(time: Int64, price: Fixed)])
    }

    public var index: Int
    public var time: Int64
    public var kind: Kind
    public var type: String
}

/// A scenario file (DESIGN §7): settings, symbols, users and timestamped events.
public struct Scenario: Sendable {
    public var settings = Settings()
    public var symbols: [ScenarioSymbol] = []
    public var users: [(id: String, deposit: Fixed?)] = []
    public var events: [ScenarioEvent] = []

    /// Parses scenario JSON; every error names the field (and the event index) it is about. Relative CSV paths of
    /// `priceBars` events are read from `directory` (the scenario file's folder).
    public init(json data: Data, directory: String = ".") throws(ScenarioError) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw ScenarioError(path: "$", "not valid JSON (\(error.localizedDescription))")
        }
        let top = try Fields(root, path: "")
        if let s = try top.optionalObject("settings") { settings = try Self.parseSettings(s) }
        for (k, item) in try top.array("symbols").enumerated() {
            symbols.append(try Self.parseSymbol(try Fields(item, path: "symbols[\(k)]")))
        }
        for (k, item) in try top.optionalArray("users").enumerated() {
            let f = try Fields(item, path: "users[\(k)]")
            users.append((try f.string("id"), try f.optionalFixed("deposit")))
        }
        var time: Int64 = 0
        for (k, item) in try top.array("events").enumerated() {
            let f = try Fields(item, path: "events[\(k)]", event: k)
            if let text = try f.optionalString("time") {
                guard let t = ISO8601.parse(text) else {
                    throw f.error("time", "must be an ISO 8601 time like 2021-05-05T00:00:00Z (got \"\(text)\")")
                }
                guard t >= time else { throw f.error("time", "\(text) is earlier than the previous event") }
                time = t
            }
            let type = try f.string("type")
            let kind = try Self.parseEvent(type, f, directory: directory)
            if case .priceBars(_, let bars) = kind, let first = bars.first, let last = bars.last {
                guard first.time >= time else { throw f.error("path", "its first bar is earlier than the previous event") }
                time = last.time
            }
            events.append(ScenarioEvent(index: k, time: time, kind: kind, type: type))
        }
    }

    static func parseSettings(_ f: Fields) throws(ScenarioError) -> Settings {
        var s = Settings()
        if let v = try f.optionalFixed("takerFeeRate") {
            guard !v.isNegative, v < .one else { throw f.error("takerFeeRate", "must be at least 0 and below 1 (got \(v))") }
            s.takerFeeRate = v
        }
        if let v = try f.optionalFixed("minInvestment") {
            guard v.isPositive else { throw f.error("minInvestment", "must be positive (got \(v))") }
            s.minInvestment = v
        }
        if let v = try f.optionalFixed("slippageLimit") {
            guard !v.isNegative, v < .one else { throw f.error("slippageLimit", "must be at least 0 and below 1 (got \(v))") }
            s.slippageLimit = v
        }
        if let v = try f.optionalInt("maxActiveCopiesPerFollower") { s.maxActiveCopiesPerFollower = v }
        if let v = try f.optionalInt("followerLimit") { s.defaultFollowerLimit = v }
        if let v = try f.optionalFixed("profitShareRate") { s.defaultProfitShareRate = v }
        return s
    }

    static func parseSymbol(_ f: Fields) throws(ScenarioError) -> ScenarioSymbol {
        let symbol: Symbol
        do {
            symbol = try Symbol(
                name: try f.string("symbol"), qtyStep: try f.fixed("qtyStep"), priceTick: try f.fixed("priceTick"),
                minQty: try f.optionalFixed("minQty") ?? .zero, minNotional: try f.optionalFixed("minNotional") ?? .zero)
        } catch let e as FieldError {
            throw f.error(e.field, e.rule)
        } catch {
            throw error as! ScenarioError
        }
        var book: BookShape?
        if let b = try f.optionalObject("book") {
            let levels = try b.optionalInt("levels") ?? 10
            guard levels > 0 else { throw b.error("levels", "must be positive (got \(levels))") }
            book = BookShape(
                halfSpread: try b.optionalFixed("halfSpread") ?? .zero, levelGap: try b.fixed("levelGap"),
                levelQuantity: try b.fixed("levelQuantity"), levels: levels)
            guard book!.levelQuantity.isPositive, book!.levelQuantity.isMultiple(of: symbol.qtyStep) else {
                throw b.error("levelQuantity", "must be a positive multiple of qtyStep \(symbol.qtyStep)")
            }
        }
        return ScenarioSymbol(symbol: symbol, price: try f.fixed("price"), book: book)
    }

    static func parseEvent(_ type: String, _ f: Fields, directory: String) throws(ScenarioError) -> ScenarioEvent.Kind {
        if type == "priceBars" { return try parsePriceBars(f, directory: directory) }
        return .command(try parseCommand(type, f))
    }

    static func parseCommand(_ type: String, _ f: Fields) throws(ScenarioError) -> EngineCommand {
        switch type {
        case "startLeading":
            return .startLeading(
                user: try f.string("user"), portfolio: try f.fixed("portfolio"),
                profitShareRate: try f.optionalFixed("profitShareRate"), slippageLimit: try f.optionalFixed("slippageLimit"),
                followerLimit: try f.optionalInt("followerLimit"))
        case "startCopy":
            let modeText = try f.optionalString("mode") ?? "smartSync"
            guard let mode = CopyMode(rawValue: modeText) else {
                throw f.error("mode", "must be \"smartSync\" or \"fixedAmount\" (got \"\(modeText)\")")
            }
            return .startCopy(
                StartCopyRequest(
                    copyID: try f.string("copy"), user: try f.string("user"), lead: try f.string("lead"), mode: mode,
                    investment: try f.fixed("investment"), buyExisting: try f.optionalBool("buyExisting") ?? false,
                    stopLoss: try f.optionalThreshold("stopLoss"), takeProfit: try f.optionalThreshold("takeProfit"),
                    amountPerOrder: try f.optionalFixed("amountPerOrder"), controls: try f.optionalControls("controls")))
        case "order":
            let sideText = try f.string("side")
            guard let side = Side(rawValue: sideText) else { throw f.error("side", "must be \"buy\" or \"sell\" (got \"\(sideText)\")") }
            let accountText = try f.optionalString("account") ?? "portfolio"
            guard let account = OrderAccount(rawValue: accountText) else {
                throw f.error("account", "must be \"portfolio\" or \"main\" (got \"\(accountText)\")")
            }
            let fractionKey = side == .sell ? "fraction" : "cashFraction"
            if let fraction = try f.optionalFixed(fractionKey) {
                guard fraction.isPositive, fraction <= .one else {
                    throw f.error(fractionKey, "must be above 0 and at most 1 (got \(fraction))")
                }
                return .orderFraction(
                    user: try f.string("user"), account: account, symbol: try f.string("symbol"), side: side, fraction: fraction)
            }
            return .order(
                OrderRequest(
                    user: try f.string("user"), account: account, symbol: try f.string("symbol"), side: side,
                    quoteAmount: try f.optionalFixed("quoteAmount"), quantity: try f.optionalFixed("quantity"),
                    limitPrice: try f.optionalFixed("limitPrice")))
        case "cancelOrder":
            return .cancelOrder(user: try f.string("user"), orderID: try f.int("orderId"))
        case "price":
            return .price(symbol: try f.string("symbol"), price: try f.fixed("price"))
        case "deposit":
            return .deposit(user: try f.string("user"), amount: try f.fixed("amount"))
        case "withdraw":
            return .withdraw(user: try f.string("user"), amount: try f.fixed("amount"))
        case "transfer":
            let from = try f.string("from")
            let to = try f.string("to")
            switch (from, to) {
            case ("main", "portfolio"):
                return .transfer(user: try f.string("user"), amount: try f.fixed("amount"), direction: .mainToPortfolio)
            case ("portfolio", "main"):
                return .transfer(user: try f.string("user"), amount: try f.fixed("amount"), direction: .portfolioToMain)
            default:
                throw f.error("to", "a transfer goes from \"main\" to \"portfolio\" or back (got \"\(from)\" to \"\(to)\")")
            }
        case "stopCopy":
            let modeText = try f.optionalString("mode")
            let mode = try modeText.map { text throws(ScenarioError) in
                guard let mode = StopMode(rawValue: text) else {
                    throw f.error("mode", "must be \"sellAll\", \"keepHoldings\" or \"closeOnly\" (got \"\(text)\")")
                }
                return mode
            }
            return .stopCopy(copy: try f.string("copy"), mode: mode)
        case "stopLeading":
            return .stopLeading(user: try f.string("user"))
        case "removeFollower":
            return .removeFollower(user: try f.string("user"), copy: try f.string("copy"))
        case "adjustInvestment":
            return .adjustInvestment(copy: try f.string("copy"), delta: try f.fixed("delta"))
        case "setStopLoss":
            guard f.dict.keys.contains("stopLoss") else { throw f.error("stopLoss", "is required (null clears it)") }
            return .setStopLoss(copy: try f.string("copy"), try f.optionalThreshold("stopLoss"))
        case "setCopyControls":
            guard f.dict.keys.contains("controls") else { throw f.error("controls", "is required (null clears them)") }
            return .setCopyControls(copy: try f.string("copy"), try f.optionalControls("controls"))
        case "setTakeProfit":
            guard f.dict.keys.contains("takeProfit") else { throw f.error("takeProfit", "is required (null clears it)") }
            return .setTakeProfit(copy: try f.string("copy"), try f.optionalThreshold("takeProfit"))
        default:
            throw f.error("type", "unknown event type \"\(type)\"")
        }
    }

    static func parsePriceBars(_ f: Fields, directory: String) throws(ScenarioError) -> ScenarioEvent.Kind {
        let path = try f.string("path")
        let from = try f.optionalString("from").map { text throws(ScenarioError) -> Int64 in
            guard let t = ISO8601.parse(text) else { throw f.error("from", "must be an ISO 8601 time (got \"\(text)\")") }
            return t
        }
        let to = try f.optionalString("to").map { text throws(ScenarioError) -> Int64 in
            guard let t = ISO8601.parse(text) else { throw f.error("to", "must be an ISO 8601 time (got \"\(text)\")") }
            return t
        }
        let full = path.hasPrefix("/") ? path : directory + "/" + path
        guard let data = FileManager.default.contents(atPath: full) else { throw f.error("path", "cannot read \"\(full)\"") }
        let bars: [PriceBar]
        do { bars = try PriceBar.parseCSV(data) } catch { throw f.error("path", "\(full): \(error.description)") }
        let picked = bars.filter { bar in bar.time >= (from ?? .min) && bar.time <= (to ?? .max) }
        guard !picked.isEmpty else { throw f.error("path", "no bars of \"\(full)\" fall in the given time range") }
        return .priceBars(symbol: try f.string("symbol"), bars: picked.map { ($0.time, $0.close) })
    }
}

/// Typed access to one JSON object with errors that name the field's full path.
struct Fields {
    let dict: [String: Any]
    let path: String
    let event: Int?

    init(_ value: Any, path: String, event: Int? = nil) throws(ScenarioError) {
        guard let d = value as? [String: Any] else {
            throw ScenarioError(path: path.isEmpty ? "$" : path, "must be a JSON object", event: event)
        }
        dict = d
        self.path = path
        self.event = event
    }

    func error(_ field: String, _ message: String) -> ScenarioError {
        ScenarioError(path: path.isEmpty ? field : "\(path).\(field)", message, event: event)
    }

    func optionalString(_ key: String) throws(ScenarioError) -> String? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let s = v as? String else { throw error(key, "must be a string") }
        return s
    }

    func string(_ key: String) throws(ScenarioError) -> String {
        guard let s = try optionalString(key) else { throw error(key, "is required") }
        return s
    }

    func optionalFixed(_ key: String) throws(ScenarioError) -> Fixed? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let s = v as? String else {
            throw error(key, "must be a decimal string like \"1000.5\" (JSON numbers are not exact)")
        }
        do { return try Fixed(s) } catch { throw self.error(key, error.description) }
    }

    func fixed(_ key: String) throws(ScenarioError) -> Fixed {
        guard let v = try optionalFixed(key) else { throw error(key, "is required") }
        return v
    }

    func optionalInt(_ key: String) throws(ScenarioError) -> Int? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        if let s = v as? String, let i = Int(s) { return i }
        guard let n = v as? NSNumber, !(v is Bool), let i = Int(exactly: n.doubleValue) else {
            throw error(key, "must be a whole number")
        }
        return i
    }

    func int(_ key: String) throws(ScenarioError) -> Int {
        guard let v = try optionalInt(key) else { throw error(key, "is required") }
        return v
    }

    func optionalBool(_ key: String) throws(ScenarioError) -> Bool? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        guard let b = v as? Bool else { throw error(key, "must be true or false") }
        return b
    }

    func optionalObject(_ key: String) throws(ScenarioError) -> Fields? {
        guard let v = dict[key], !(v is NSNull) else { return nil }
        return try Fields(v, path: path.isEmpty ? key : "\(path).\(key)", event: event)
    }

    func optionalArray(_ key: String) throws(ScenarioError) -> [Any] {
        guard let v = dict[key], !(v is NSNull) else { return [] }
        guard let a = v as? [Any] else { throw error(key, "must be an array") }
        return a
    }

    func array(_ key: String) throws(ScenarioError) -> [Any] {
        guard dict[key] != nil else { throw error(key, "is required") }
        return try optionalArray(key)
    }

    /// `{ "pairs": ["BTC-USDT"], "maxSymbolWeight": "0.5", "maxOrderAmount": "200" }`, each optional (the engine
    /// checks the values).
    func optionalControls(_ key: String) throws(ScenarioError) -> CopyControls? {
        guard let f = try optionalObject(key) else { return nil }
        var pairs: [String]?
        if let v = f.dict["pairs"], !(v is NSNull) {
            guard let a = v as? [Any] else { throw f.error("pairs", "must be an array of pair names") }
            pairs = try a.enumerated().map { k, item throws(ScenarioError) in
                guard let name = item as? String else { throw f.error("pairs[\(k)]", "must be a pair name (a string)") }
                return name
            }
        }
        return CopyControls(
            pairs: pairs, maxSymbolWeight: try f.optionalFixed("maxSymbolWeight"), maxOrderAmount: try f.optionalFixed("maxOrderAmount"))
    }

    /// `{ "amount": "300" }` or `{ "ratio": "0.3" }`.
    func optionalThreshold(_ key: String) throws(ScenarioError) -> Threshold? {
        guard let f = try optionalObject(key) else { return nil }
        let amount = try f.optionalFixed("amount")
        let ratio = try f.optionalFixed("ratio")
        switch (amount, ratio) {
        case (.some(let a), .none): return .amount(a)
        case (.none, .some(let r)): return .ratio(r)
        default: throw error(key, "must be { \"amount\": \"300\" } or { \"ratio\": \"0.3\" }")
        }
    }
}
