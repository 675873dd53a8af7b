import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The writer's own thread, as an executor for the actor that owns a `DurableEngine`.
///
/// A command is CPU work (a fan-out to 100,000 copies takes about 100 ms) followed by a commit that blocks on the
/// database (SQLite's fsync; PostgreSQL's round trips). Run on Swift's cooperative pool, which has one thread per
/// core, each command would take a thread the reads need. On this executor commands run one at a time on a thread
/// of their own (a one-thread `NIOThreadPool`, not an event loop, so the PostgreSQL session may wait there), and the
/// cooperative pool stays free for reads, which never wait for the writer.
public final class WriterExecutor: SerialExecutor {
    private let pool: NIOThreadPool
    /// The writer's thread, once it ran a job.
    private let thread = Mutex<pthread_t?>(nil)

    public init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    deinit { pool.shutdownGracefully { _ in } }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        pool.submit { [self] _ in
            thread.withLock { if $0 == nil { $0 = pthread_self() } }
            job.runSynchronously(on: executor)
        }
    }

    /// True on the writer's thread (for tests and assertions).
    public var isCurrentThread: Bool {
        thread.withLock { t in t.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}
