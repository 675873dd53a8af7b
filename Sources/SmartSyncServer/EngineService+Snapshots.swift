import Dispatch
import SmartSyncCore

/// When and how the server writes snapshots: every so many commands or so much time after a commit, in the
/// background from the committed state (off the writer and Swift's cooperative pool), and once more at shutdown.
extension EngineService {
    /// When snapshots are written: every `commands` commands or `interval`, whichever comes first (0 / nil: never).
    public struct SnapshotPolicy: Sendable {
        public var commands: Int = 1_000
        public var interval: Duration? = .seconds(600)
        public init(commands: Int = 1_000, interval: Duration? = .seconds(600)) {
            self.commands = commands
            self.interval = interval
        }
    }

    public func setSnapshotPolicy(_ policy: SnapshotPolicy) { snapshotPolicy = policy }

    /// Starts writing a snapshot of the committed state when one is due and none is being written.
    func snapshotIfDue(_ engine: Engine, commands: Int) {
        guard store.snapshotWriter != nil, snapshotInFlight == nil else { return }
        let last = lastSnapshot ?? (store.openedFromSnapshot ?? 0, opened)
        let byCount = snapshotPolicy.commands > 0 && commands - last.commands >= snapshotPolicy.commands
        let byTime = snapshotPolicy.interval.map { commands > last.commands && last.at.duration(to: .now) >= $0 } ?? false
        guard byCount || byTime else { return }
        lastSnapshot = (commands, .now)
        let logger = logger
        snapshotInFlight = Task {
            let started = ContinuousClock.now
            do {
                if let (path, bytes) = try await self.writeSnapshot(engine, commands: commands) {
                    logger.info(
                        "snapshot written",
                        metadata: [
                            "path": .string(path), "commands": .stringConvertible(commands), "bytes": .stringConvertible(bytes),
                            "seconds": .stringConvertible(started.duration(to: .now)),
                        ])
                }
            } catch {
                logger.warning("snapshot not written: \(error)")
            }
            self.snapshotDone()
        }
    }

    private func snapshotDone() { snapshotInFlight = nil }

    /// Writes a snapshot of the committed state now (at shutdown), after any being written; nil when this database
    /// keeps none or nothing changed since the last one.
    @discardableResult
    public func saveSnapshot() async throws -> (path: String, bytes: Int)? {
        await snapshotInFlight?.value
        guard !store.isBroken else { return nil }
        // The committed state: a command awaiting its commit has changed the writer's engine already.
        let (engine, commands) = committedState
        guard commands > (lastSnapshot?.commands ?? store.openedFromSnapshot ?? -1) else { return nil }
        lastSnapshot = (commands, .now)
        return try await writeSnapshot(engine, commands: commands)
    }

    /// Writes `engine` (the state after `commands` commands) on the snapshot queue; nil when no snapshots are kept.
    private func writeSnapshot(_ engine: Engine, commands: Int) async throws -> (path: String, bytes: Int)? {
        guard let write = store.snapshotWriter else { return nil }
        return try await withCheckedThrowingContinuation { continuation in
            snapshotQueue.async {
                let result = Result { try write(engine, commands) }
                HeapTrim.release()  // the encoding's buffers, and what commands freed since the last snapshot
                continuation.resume(with: result)
            }
        }
    }
}
