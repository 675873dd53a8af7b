import Foundation
import Synchronization

/// Live events for WebSocket subscribers: each subscriber gets the events its audience allows, as JSON text.
public final class EventHub: Sendable {
    public enum Audience: Sendable {
        /// Everyone (prices, lead fills).
        case everyone
        /// The follower who owns the copy (and operators).
        case user(String)
    }

    struct Subscriber {
        var user: String
        var isOperator: Bool
        var continuation: AsyncStream<String>.Continuation
    }

    private let subscribers = Mutex<[UUID: Subscriber]>([:])

    public init() {}

    /// True when someone listens (events are only built then).
    public var isListenedTo: Bool { subscribers.withLock { !$0.isEmpty } }

    /// The users who listen, to build only their events.
    public var listeningUsers: Set<String> { subscribers.withLock { Set($0.values.map(\.user)) } }

    public var hasOperatorListening: Bool { subscribers.withLock { $0.values.contains { $0.isOperator } } }

    /// Subscribes a caller; the stream ends when `unsubscribe` is called.
    public func subscribe(user: String, isOperator: Bool) -> (UUID, AsyncStream<String>) {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        subscribers.withLock { $0[id] = Subscriber(user: user, isOperator: isOperator, continuation: continuation) }
        return (id, stream)
    }

    public func unsubscribe(_ id: UUID) {
        let removed = subscribers.withLock { $0.removeValue(forKey: id) }
        removed?.continuation.finish()
    }

    /// Delivers each event to the subscribers of its audience.
    public func publish(_ events: [(Audience, String)]) {
        guard !events.isEmpty else { return }
        subscribers.withLock { all in
            for subscriber in all.values {
                for (audience, text) in events {
                    switch audience {
                    case .everyone: subscriber.continuation.yield(text)
                    case .user(let user) where user == subscriber.user || subscriber.isOperator: subscriber.continuation.yield(text)
                    default: break
                    }
                }
            }
        }
    }
}
