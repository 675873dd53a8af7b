/// Something that owns an engine and applies commands to it: in memory, or durably (the SQLite store).
/// A refused command throws `EngineError` and changes nothing; other errors come from the host itself.
public protocol EngineHost {
    var engine: Engine { get }
    mutating func execute(_ command: EngineCommand, at moment: Moment) throws
}

/// The in-memory host: the engine and nothing else.
public struct MemoryHost: EngineHost, Sendable {
    public private(set) var engine: Engine

    public init(engine: Engine) { self.engine = engine }

    public mutating func execute(_ command: EngineCommand, at moment: Moment) throws {
        try engine.execute(command, at: moment)
    }
}
