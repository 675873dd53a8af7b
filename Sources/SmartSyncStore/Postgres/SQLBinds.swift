import PostgresNIO

/// The parameters of one statement as its text is written: `bind(value)` appends the value and returns its `$n`
/// placeholder, so a statement of several parts (`appendStatement`, the inserts of an upgrade) binds in order.
struct SQLBinds {
    private(set) var bindings: PostgresBindings
    private var count = 0

    init(capacity: Int = 8) { bindings = PostgresBindings(capacity: capacity) }

    mutating func callAsFunction<T: PostgresDynamicTypeEncodable>(_ value: T) -> String {
        bindings.append(value)
        count += 1
        return "$\(count)"
    }

    /// The statement `sql` with these parameters.
    func query(_ sql: String) -> PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
