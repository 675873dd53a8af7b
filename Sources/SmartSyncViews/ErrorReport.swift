/// The body of every refusal the API answers (the contract's `Error`): `{"error": {"code", "message", "field"}}`, the
/// field null when the refusal is not about one.
public struct ErrorReport: Encodable, Hashable, Sendable {
    public struct Detail: Encodable, Hashable, Sendable {
        /// A stable name for the rule (`invalidInput`, `notFound`, `insufficientFunds`, …).
        public var code: String
        /// One sentence a person can act on, naming the field and the rule.
        public var message: String
        /// The field the refusal is about, as a path into the request (`stopLoss.ratio`), or a query parameter.
        @EncodesNull public var field: String?
    }

    public var error: Detail

    public init(code: String, message: String, field: String?) {
        error = Detail(code: code, message: message, field: field)
    }

    /// The JSON text, pretty-printed like every answer of the API.
    public var text: String { JSONValueEncoder.value(self).serialized() }
}
