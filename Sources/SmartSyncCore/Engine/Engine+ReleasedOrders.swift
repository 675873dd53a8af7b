/// Final orders in a server: once an order can no longer change (filled, cancelled or expired), it lives in the
/// database, not in memory.
///
/// A store writes each order a command made final (`storedOrder(_:)`) in the same transaction as the command;
/// `releaseHistory()` then drops it from `orders`. Open orders (resting, or working at a venue) stay in memory. A read
/// of a released order loads its stored form (`order(stored:)`).
extension Engine {
    /// The first bytes of a stored order, then its format (`storedOrderFormat`, little-endian UInt32).
    static let storedOrderMagic: [UInt8] = Array("SSORDR".utf8)
    /// The version of the bytes `storedOrder(_:)` writes. Stored orders stay in databases for good: a change to them
    /// bumps this and keeps reading the older formats (unlike snapshots, which are rewritten).
    public static let storedOrderFormat: UInt32 = 1

    /// The order `o` as bytes: the magic, the format, then the order as a snapshot writes it. Precondition: final.
    public static func storedOrder(_ o: PlacedOrder) -> StoredOrder {
        precondition(!o.status.isOpen, "only a final order is stored")
        var w = versionedWriter(storedOrderMagic, storedOrderFormat, capacity: 256)
        w.placedOrder(o)
        return StoredOrder(id: o.id, user: o.user, event: o.event, bytes: w.bytes)
    }

    /// The order `bytes` hold (from `storedOrder(_:)`), checked against this engine: a final order of a user it
    /// knows, on a symbol it lists, with an id it gave.
    public func order(stored bytes: [UInt8]) throws(SnapshotError) -> PlacedOrder {
        var r = try Self.versionedReader(bytes, Self.storedOrderMagic, Self.storedOrderFormat, what: "stored order")
        let o: PlacedOrder
        do {
            o = try r.placedOrder()
        } catch let e as SnapshotError {
            throw e
        } catch {
            throw SnapshotError("\(error)")
        }
        guard r.isAtEnd else { throw SnapshotError("\(r.remaining) bytes after the stored order") }
        guard o.id >= 1, o.id < nextOrderNumber, users.indices.contains(o.user), venue.symbols.indices.contains(o.symbol),
            !o.status.isOpen, o.fills.allSatisfy({ venue.symbols.indices.contains($0.symbol) })
        else { throw SnapshotError("the stored order \(o.id) is not a final order of a known user on a listed symbol") }
        return o
    }

    /// Whether the order `id` was released from memory (read it from the store with `order(stored:)`): the engine
    /// gave the id, released its history, and holds no such order.
    public func isReleased(orderID id: Int) -> Bool {
        historyReleased && id >= 1 && id < nextOrderNumber && orderPosition(id) == nil
    }

    /// The orders placed so far, in memory or released: their ids are 1 through this.
    public var orderCount: Int { nextOrderNumber - 1 }

    /// Final orders still in memory that `releaseHistory()` drops (those at an external venue stay), in id order.
    public var finalOrdersInMemory: [PlacedOrder] { orders.filter { !$0.status.isOpen && venueBook.record(placedOrder: $0.id) == nil } }

    /// Final orders in memory, those at an external venue too (what an older database's upgrade stores).
    public var allFinalOrdersInMemory: [PlacedOrder] { orders.filter { !$0.status.isOpen } }

    /// The orders `orders` of the committed state merged with `stored` ones (newest first, from a store's page of
    /// released orders): the `limit` newest with an id below `before` of user `u`, open only unless `all`.
    public func ordersPage(user u: Int, before: Int, limit: Int, all: Bool, stored: [PlacedOrder]) -> [PlacedOrder] {
        var page: [PlacedOrder] = []
        var memory = orders.reversed().lazy.filter { $0.id < before && $0.user == u && (all || $0.status.isOpen) }.makeIterator()
        var released = stored.lazy.filter { $0.id < before && $0.user == u && self.isReleased(orderID: $0.id) }.makeIterator()
        var (a, b) = (memory.next(), all ? released.next() : nil)
        while page.count < limit, a != nil || b != nil {
            if let x = a, b == nil || x.id > b!.id {
                page.append(x)
                a = memory.next()
            } else if let y = b {
                page.append(y)
                b = released.next()
            }
        }
        return page
    }
}

/// A final order as a store keeps it (`Engine.storedOrder(_:)`): keyed by id, found by user and by the event that
/// placed it.
public struct StoredOrder: Sendable, Hashable {
    public var id: Int
    public var user: Int
    public var event: Int
    public var bytes: [UInt8]

    public init(id: Int, user: Int, event: Int, bytes: [UInt8]) {
        self.id = id
        self.user = user
        self.event = event
        self.bytes = bytes
    }
}
