/// A refused command: a stable code, the offending input field and a message saying which rule it broke.
/// A refused command changes nothing.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case invalidInput
        case unknownUser, unknownSymbol, unknownCopy, unknownOrder
        case duplicateID
        case insufficientFunds
        case belowMinimumInvestment
        case copyingYourself
        case leadNotActive
        case leadFollowerLimit
        case followerCopyLimit
        case duplicateActiveCopy
        case alreadyLeading
        case notLeading
        case copyNotActive
        case overflow
        /// A request id (Idempotency-Key) reused for a different request.
        case requestIDReused
        /// A lead's copy order is in flight at an external venue: its copies cannot change until it is done.
        case orderInFlight
    }

    public var code: Code
    public var field: String
    public var message: String

    public init(_ code: Code, field: String, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    public init(_ error: FieldError) {
        self.init(.invalidInput, field: error.field, error.rule)
    }

    public var description: String { "\(field): \(message)" }
}

extension Engine {
    /// The overflow policy for amounts that change state: `body`'s result, or a refusal naming `field` when it does not
    /// fit in an amount (about 92 billion), raised before the command changed anything. Never wrapped, never read as
    /// zero. Figures only shown (an average price, a report's mean) may instead fall back where they say so.
    static func checkedAmount(field: String, _ body: () throws(DecimalError) -> Fixed) throws(EngineError) -> Fixed {
        do {
            return try body()
        } catch {
            throw EngineError(.overflow, field: field, "the amount this needs does not fit in 92 billion (\(error))")
        }
    }
}
