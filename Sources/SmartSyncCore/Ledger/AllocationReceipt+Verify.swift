// The offline check of an allocation receipt (`smartsync verify-receipt`): its builder is in AllocationReceipt.swift.

extension AllocationReceipt {
    /// One check of `verify()`: what was checked and whether it held.
    public struct Check: Sendable, Hashable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    /// Checks the receipt alone: every step's arithmetic, that the totals and the row are the ones the entry text
    /// commits to, the row's (and profit share's) Merkle path to its root, and the chain link.
    public func verify() -> [Check] {
        var checks: [Check] = []
        func check(_ name: String, _ ok: Bool, _ detail: @autoclosure () -> String) {
            checks.append(Check(name: name, ok: ok, detail: ok ? "" : detail()))
        }
        let int = Self.integer
        let (fields, fillID) = Self.fields(proof.entry)
        check("format", format == 1, "format \(format) is not 1")

        // The totals and the header are the entry's.
        check(
            "order.requestedLots", fields["requested"] == (order.requestedLots ?? "-"),
            "the entry says requested=\(fields["requested"] ?? "?")")
        check("order.executedLots", fields["executed"] == order.executedLots, "the entry says executed=\(fields["executed"] ?? "?")")
        check("order.quote", fields["quote"] == order.quote, "the entry says quote=\(fields["quote"] ?? "?")")
        check("order.fee", fields["fee"] == order.fee, "the entry says fee=\(fields["fee"] ?? "?")")
        let rateUnits = (try? Fixed(feeRate)).map { String($0.units) }
        check(
            "entry.feeRate", fields["feeRate"] == "-" || fields["feeRate"] == rateUnits,
            "the entry says feeRate=\(fields["feeRate"] ?? "?") (1e-8 units)")
        check("entry.side", fields["side"] == side, "the entry says side=\(fields["side"] ?? "?")")
        check("entry.price", fields["price"] == price, "the entry says price=\(fields["price"] ?? "?")")
        check("entry.leadPrice", fields["leadPrice"] == leadPrice, "the entry says leadPrice=\(fields["leadPrice"] ?? "?")")
        check("entry.leadFill", fillID == (leadFill ?? "-"), "the entry says fill=\(fillID ?? "?")")

        // The steps.
        let lots = int(row.lots) ?? -1
        switch steps.lots.method {
        case "exact":
            check(
                "lots", row.requestedLots == row.lots && order.requestedLots == order.executedLots,
                "an exact split gives each row its request")
        case "notRecorded":
            check("lots", order.requestedLots == nil && row.requestedLots == nil, "the request is given but the step says not recorded")
        default:
            Self.checkStep(
                "lots", steps.lots, part: lots, total: order.executedLots, weight: row.requestedLots, weightSum: order.requestedLots,
                row: row.index, &checks)
        }
        let quote = int(row.quote) ?? -1
        if steps.quote.method == "price" {
            let lotValue = int(steps.quote.lotValue) ?? -1
            let step = int((try? Fixed(qtyStep)).map { String($0.units) }) ?? -1
            let expected = (int(price) ?? -1) * step / 100_000_000
            check("quote.lotValue", lotValue == expected, "lotValue \(lotValue) is not floor(price × qtyStep) = \(expected)")
            check("quote", quote == lots * lotValue, "quote \(quote) is not lots × lotValue = \(lots * lotValue)")
        } else {
            Self.checkStep(
                "quote", steps.quote, part: quote, total: order.quote, weight: row.lots, weightSum: order.executedLots, row: row.index,
                &checks)
        }
        let fee = int(row.fee) ?? -1
        if steps.fee.method == "none" {
            check("fee", fee == 0 && order.quote == "0", "a batch with no quote has no fee")
        } else if steps.fee.method == "notRecorded" {
            check("fee", fields["feeRate"] == "-", "the entry records the fee rate, but the step says not recorded")
        } else {
            let rate = int((try? Fixed(feeRate)).map { String($0.units) }) ?? -1
            let product = quote * rate
            let cap = product / 100_000_000 + (product % 100_000_000 == 0 ? 0 : 1)
            check("fee.cap", int(steps.fee.cap) == cap, "the cap is not ceil(quote × feeRate) = \(cap)")
            check("fee.belowCap", fee <= cap, "fee \(fee) is above the copy's stand-alone fee \(cap)")
            Self.checkStep(
                "fee", steps.fee, part: fee, total: order.fee, weight: row.quote, weightSum: order.quote, row: row.index, &checks)
        }

        // The proofs.
        let leaf = LedgerChain.leaf(
            LedgerChain.rowText(
                row: row.index, slot: Int64(row.slot) ?? -1, requested: row.requestedLots.flatMap { Int64($0) },
                lots: Int64(exactly: lots) ?? -1, quote: Int64(exactly: quote) ?? -1, fee: Int64(exactly: fee) ?? -1,
                capped: row.cappedByCash), salt: Self.salt(row.salt))
        let rowRoot = Self.fold(leaf, proof.rowPath).map(Hex.encode)
        check(
            "rowPath", rowRoot != nil && rowRoot == fields["rowsRoot"],
            "the row's path leads to \(rowRoot ?? "nothing"), not the entry's rowsRoot=")
        if let share = profitShare {
            let shareLeaf = LedgerChain.leaf(
                LedgerChain.shareText(row: share.index, slot: Int64(row.slot) ?? -1, amount: Int64(share.amount) ?? -1),
                salt: Self.salt(share.salt))
            let shareRoot = Self.fold(shareLeaf, share.path).map(Hex.encode)
            check(
                "profitSharePath", shareRoot != nil && shareRoot == fields["sharesRoot"],
                "the profit share's path does not lead to sharesRoot=")
        }
        let previous = Hex.decode(proof.previousHash)
        let link = previous.map { Hex.encode(LedgerChain.link($0, proof.entry)) }
        check(
            "chain", previous?.count == 32 && link == proof.chainHash,
            "SHA-256(previousHash ‖ SHA-256(entry)) is \(link ?? "?"), not chainHash")
        return checks
    }

    /// A largest-remainder step's checks against the receipt's own totals and row.
    static func checkStep(
        _ name: String, _ step: Step, part: Int128, total: String?, weight: String?, weightSum: String?, row: Int,
        _ checks: inout [Check]
    ) {
        func check(_ what: String, _ ok: Bool, _ detail: @autoclosure () -> String) {
            checks.append(Check(name: "\(name).\(what)", ok: ok, detail: ok ? "" : detail()))
        }
        guard step.method == "largestRemainder" || step.method == "largestRemainderThenRows" else {
            check("method", false, "unknown method \(step.method)")
            return
        }
        check(
            "inputs", step.total == total && step.weight == weight && step.weightSum == weightSum, "the step's inputs are not the receipt's"
        )
        let int = integer
        guard let t = int(total), let w = int(weight), let sum = int(weightSum), sum > 0, let floor = int(step.floor),
            let remainder = int(step.remainder), let unit = int(step.unit)
        else {
            check("numbers", false, "a number is missing or not an integer")
            return
        }
        check(
            "floor", floor == t * w / sum && remainder == t * w % sum, "floor(\(t) × \(w) ÷ \(sum)) is \(t * w / sum) rest \(t * w % sum)")
        let cap = int(step.cap)
        if name != "fee" { check("cap", step.cap == nil, "only fees have a cap") }
        let base = cap.map { Swift.min(floor, $0) } ?? floor
        check("part", part == base + unit, "\(part) is not \(base) + unit \(unit)")
        let eligible = base == floor && (cap.map { floor < $0 } ?? true) && remainder > 0
        guard step.method == "largestRemainder" else {
            // Only fees have caps, and only caps leave units over for the pass in row order: by then every row that
            // could take a unit has one.
            check(
                "rows", cap != nil && unit >= (eligible ? 1 : 0) && part <= (cap ?? -1),
                "the pass in row order only follows a capped split, after every row that could take a unit got one, and stays within the cap"
            )
            return
        }
        var ranks = false
        if let c = step.cutoff, let cr = int(c.remainder) {
            ranks = remainder > cr || (remainder == cr && row <= c.row)
        }
        check(
            "unit", unit == (eligible && ranks ? 1 : 0),
            "unit \(unit): the row \(eligible ? "could" : "could not") take one and ranks \(ranks ? "at or above" : "below") the cutoff")
    }

    /// A receipt's integer: every number parses as an Int64, so products of two fit an Int128.
    static func integer(_ s: String?) -> Int128? { s.flatMap { Int64($0) }.map { Int128($0) } }

    /// The `key=value` fields of an entry text, and a batch's lead fill id: everything between ` fill=` and the last
    /// ` leadPrice=`, so an id with spaces (or with `key=` in it) reads back whole and overrides nothing.
    static func fields(_ text: String) -> (fields: [String: String], fill: String?) {
        func pairs(_ text: Substring, into out: inout [String: String]) {
            for part in text.split(separator: " ") {
                guard let eq = part.firstIndex(of: "=") else { continue }
                out[String(part[..<eq])] = String(part[part.index(after: eq)...])
            }
        }
        var out: [String: String] = [:]
        guard let fill = text.firstRange(of: " fill="), let leadPrice = text.ranges(of: " leadPrice=").last,
            fill.upperBound <= leadPrice.lowerBound
        else {
            pairs(text[...], into: &out)
            return (out, nil)
        }
        pairs(text[..<fill.lowerBound], into: &out)
        pairs(text[leadPrice.lowerBound...], into: &out)
        return (out, String(text[fill.upperBound..<leadPrice.lowerBound]))
    }

    /// A salt from its hex; a malformed one gives a leaf no path leads from.
    static func salt(_ hex: String) -> [UInt8] {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return Array("not a salt".utf8) }
        return bytes
    }

    static func fold(_ leaf: [UInt8], _ path: [PathStep]) -> [UInt8]? {
        var steps: [(left: Bool, hash: [UInt8])] = []
        for s in path {
            guard let h = Hex.decode(s.hash), h.count == 32, s.side == "left" || s.side == "right" else { return nil }
            steps.append((s.side == "left", h))
        }
        return LedgerChain.fold(leaf, steps)
    }
}
