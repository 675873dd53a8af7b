/// A copy fill's allocation receipt (docs/receipts.md): the merged order's totals, this copy's request and share,
/// the largest-remainder steps that gave it its lots, quote and fee, and the proof that its row is in the ledger's
/// hash chain. Everything a follower needs to check it alone (`smartsync verify-receipt`): integers are base-10
/// strings (exact beyond 2^53) in 1e-8 units of USDT, quantities in lots of `qtyStep`.
public struct AllocationReceipt: Codable, Sendable, Hashable {
    public var format = 1
    public var copy: String
    /// The copy's fill number (`n` in its fills).
    public var fill: Int
    /// The ledger entry (`seq`) of the merged order's copy fills.
    public var ledger: Int
    public var time: String?
    public var symbol: String
    public var side: String
    /// The symbol's quantity step (decimal) and the taker fee rate the fees were capped at (decimal; the rate of
    /// today in a batch from before receipts, whose entry says `feeRate=-`).
    public var qtyStep: String
    public var feeRate: String
    public var leadFill: String?
    /// The merged order's average price and the lead's price, in 1e-8 USDT.
    public var price: String
    public var leadPrice: String
    public var order: Totals
    public var row: Row
    public var steps: Steps
    /// What this copy paid the lead in this batch, with its proof (nil when nothing).
    public var profitShare: Share?
    public var proof: Proof

    /// The merged order: what its copies asked for and what the venue executed for them.
    public struct Totals: Codable, Sendable, Hashable {
        /// Nil in batches stored before requests were kept.
        public var requestedLots: String?
        public var executedLots: String
        public var quote: String
        public var fee: String
    }

    /// This copy's row in the batch.
    public struct Row: Codable, Sendable, Hashable {
        public var index: Int
        /// The row's salt (hex), disclosed only in its own receipt.
        public var salt: String
        public var slot: String
        public var requestedLots: String?
        public var lots: String
        public var quote: String
        public var fee: String
        public var cappedByCash: Bool
    }

    public struct Steps: Codable, Sendable, Hashable {
        public var lots: Step
        public var quote: Step
        public var fee: Step
    }

    /// How one part was computed. `method`:
    /// - `exact`: the part is the request (the order executed in full);
    /// - `price`: quote = lots × `lotValue` (one price for the whole order);
    /// - `largestRemainder`: part = floor(total × weight ÷ weightSum) (at most `cap`) + `unit`, where the leftover
    ///   units went one each to the largest remainders, ties to the lower row: `unit` is 1 exactly when the row
    ///   could take one (a remainder above 0, below its cap) and ranks at or above `cutoff`, the last row that got one;
    /// - `largestRemainderThenRows`: as above, then what the caps left over went to rows in order, up to each cap;
    /// - `notRecorded`: the batch predates recorded requests; - `none`: nothing to split.
    public struct Step: Codable, Sendable, Hashable {
        public var method: String
        public var total: String?
        public var weight: String?
        public var weightSum: String?
        public var floor: String?
        public var remainder: String?
        public var cap: String?
        public var unit: String?
        public var cutoff: Cutoff?
        public var lotValue: String?

        init(method: String) { self.method = method }
    }

    public struct Cutoff: Codable, Sendable, Hashable {
        public var remainder: String
        public var row: Int
    }

    public struct Share: Codable, Sendable, Hashable {
        public var index: Int
        public var salt: String
        public var amount: String
        public var path: [PathStep]
    }

    /// A sibling hash on the way from a leaf to its root (`left`: the sibling is on the left).
    public struct PathStep: Codable, Sendable, Hashable {
        public var side: String
        public var hash: String
    }

    public struct Proof: Codable, Sendable, Hashable {
        /// The entry text the chain hashes (with the roots of the batch's rows and profit shares).
        public var entry: String
        public var rowPath: [PathStep]
        /// The chain hash of the entry before, and of this entry: SHA-256(previous ‖ SHA-256(entry)).
        public var previousHash: String
        public var chainHash: String
    }
}

extension AllocationReceipt {
    /// What the builder needs beside the batch: the copy, the symbol, and the stored chain hashes.
    public struct Context: Sendable {
        public var copy: String
        public var fill: Int
        public var slot: Int
        /// The batch's header as the engine knows it (side, prices, lead fill).
        public var header: CopyFillHeader
        public var time: String?
        public var symbol: String
        public var qtyStep: Fixed
        public var feeRate: Fixed
        public var previousHash: [UInt8]
        public var chainHash: [UInt8]
        /// The database's salt key (`ReceiptStore.chainKey`).
        public var key: [UInt8]

        public init(
            copy: String, fill: Int, slot: Int, header: CopyFillHeader, time: String?, symbol: String, qtyStep: Fixed, feeRate: Fixed,
            previousHash: [UInt8], chainHash: [UInt8], key: [UInt8]
        ) {
            self.key = key
            (self.copy, self.fill, self.slot, self.header, self.time, self.symbol, self.qtyStep, self.feeRate) =
                (copy, fill, slot, header, time, symbol, qtyStep, feeRate)
            (self.previousHash, self.chainHash) = (previousHash, chainHash)
        }
    }

    /// The receipt of the copy in `context.slot` in the batch `record`; nil when the entry is not a batch or the
    /// copy has no row in it.
    public static func build(_ record: LedgerRecord, _ context: Context) -> AllocationReceipt? {
        guard let b = record.batch, let r = b.slots.firstIndex(of: Int64(context.slot)) else { return nil }
        let header = context.header
        let levels = LedgerChain.batchLevels(b, seq: record.seq, key: context.key)
        let executed = b.lots.reduce(0, +)
        let quoteTotal = b.quote.reduce(0, +)
        let feeTotal = b.fee.reduce(0, +)
        let shareIndex = b.shareSlots.firstIndex(of: Int64(context.slot))
        let feeRate = b.feeRate.map { Fixed(units: $0) } ?? context.feeRate
        return AllocationReceipt(
            copy: context.copy, fill: context.fill, ledger: record.seq, time: context.time, symbol: context.symbol,
            side: header.side.rawValue, qtyStep: context.qtyStep.description, feeRate: feeRate.description,
            leadFill: header.leadFillID, price: String(header.price.units), leadPrice: String(header.leadPrice.units),
            order: Totals(
                requestedLots: b.requestedLots.map(String.init), executedLots: String(executed), quote: String(quoteTotal),
                fee: String(feeTotal)),
            row: Row(
                index: r, salt: Hex.encode(LedgerChain.salt(key: context.key, seq: record.seq, row: r)), slot: String(b.slots[r]),
                requestedLots: b.request(r).map(String.init), lots: String(b.lots[r]),
                quote: String(b.quote[r]), fee: String(b.fee[r]), cappedByCash: b.capped[r]),
            steps: Steps(
                lots: lotsStep(b, r), quote: quoteStep(b, r, price: header.price, qtyStep: context.qtyStep),
                fee: feeStep(b, r, rate: feeRate.units)),
            profitShare: shareIndex.map { k in
                Share(
                    index: k, salt: Hex.encode(LedgerChain.salt(key: context.key, seq: record.seq, row: k, share: true)),
                    amount: String(b.shareAmounts[k]), path: pathSteps(LedgerChain.path(levels.shares, index: k)))
            },
            proof: Proof(
                entry: LedgerChain.entryText(record, key: context.key, levels: levels),
                rowPath: pathSteps(LedgerChain.path(levels.rows, index: r)),
                previousHash: Hex.encode(context.previousHash), chainHash: Hex.encode(context.chainHash)))
    }

    static func pathSteps(_ path: [(left: Bool, hash: [UInt8])]) -> [PathStep] {
        path.map { PathStep(side: $0.left ? "left" : "right", hash: Hex.encode($0.hash)) }
    }

    /// `floor(total × weight ÷ sum)` and its remainder.
    static func split(_ total: Int64, _ weight: Int64, _ sum: Int64) -> (floor: Int128, remainder: Int128) {
        let product = Int128(total) * Int128(weight)
        return (product / Int128(sum), product % Int128(sum))
    }

    /// A largest-remainder step for row `r`: each row's floor and remainder, whether it could take a unit
    /// (`eligible`), and the part it got; the cutoff is the last row that took one.
    static func largestRemainder(
        total: Int64, weights: [Int64], weightSum: Int64, parts: [Int64], caps: [Int64]?, row r: Int
    ) -> Step {
        var step = Step(method: "largestRemainder")
        step.total = String(total)
        step.weightSum = String(weightSum)
        var cutoff: (remainder: Int128, row: Int)?
        var overCaps = false
        for i in weights.indices {
            let (q, rem) = split(total, weights[i], weightSum)
            let cap = caps.map { Int128($0[i]) }
            let base = cap.map { Swift.min(q, $0) } ?? q
            let eligible = base == q && (cap.map { q < $0 } ?? true) && rem > 0
            let unit = Int128(parts[i]) - base
            if unit >= 1 && eligible {
                if cutoff == nil || rem < cutoff!.remainder || (rem == cutoff!.remainder && i > cutoff!.row) { cutoff = (rem, i) }
            }
            // More than the largest-remainder rule gives: only the caps' pass in row order does that (fees). For
            // lots and quotes the step stays as it is and the check of `unit` fails, as it should.
            if unit > 1 || (unit == 1 && !eligible) { overCaps = true }
            if i == r {
                step.weight = String(weights[i])
                step.floor = String(q)
                step.remainder = String(rem)
                step.cap = cap.map { String($0) }
                step.unit = String(unit)
            }
        }
        step.cutoff = cutoff.map { Cutoff(remainder: String($0.remainder), row: $0.row) }
        if overCaps && caps != nil { step.method = "largestRemainderThenRows" }
        return step
    }

    static func lotsStep(_ b: BatchRows, _ r: Int) -> Step {
        guard let requestedLots = b.requestedLots else { return Step(method: "notRecorded") }
        guard let requested = b.requested else {
            var step = Step(method: "exact")
            step.weight = String(b.lots[r])
            return step
        }
        return largestRemainder(
            total: b.lots.reduce(0, +), weights: requested, weightSum: requestedLots, parts: b.lots, caps: nil, row: r)
    }

    static func quoteStep(_ b: BatchRows, _ r: Int, price: Fixed, qtyStep: Fixed) -> Step {
        let lotValue = mulDivFloor(price.units, qtyStep.units, Fixed.unitsPerOne) ?? 0
        if b.lots.indices.allSatisfy({ Int128(b.lots[$0]) * Int128(lotValue) == Int128(b.quote[$0]) }) {
            var step = Step(method: "price")
            step.weight = String(b.lots[r])
            step.lotValue = String(lotValue)
            return step
        }
        return largestRemainder(
            total: b.quote.reduce(0, +), weights: b.lots, weightSum: b.lots.reduce(0, +), parts: b.quote, caps: nil, row: r)
    }

    static func feeStep(_ b: BatchRows, _ r: Int, rate: Int64) -> Step {
        let quoteTotal = b.quote.reduce(0, +)
        guard quoteTotal > 0 else { return Step(method: "none") }
        // Without the rate of the time its caps cannot be shown (today's rate may differ).
        guard b.feeRate != nil else { return Step(method: "notRecorded") }
        return largestRemainder(
            total: b.fee.reduce(0, +), weights: b.quote, weightSum: quoteTotal, parts: b.fee,
            caps: b.quote.map { Engine.standaloneFee($0, rate: rate) }, row: r)
    }
}
