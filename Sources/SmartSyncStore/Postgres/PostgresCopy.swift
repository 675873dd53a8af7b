import NIOCore
import PostgresNIO
import SmartSyncCore

/// Runs a task's jobs on one SwiftNIO event loop. postgres-nio's COPY is async-only; running it on the loop of its
/// own connection lets synchronous code wait for it without occupying (or waiting for) a thread of Swift's
/// cooperative pool, which the caller may be blocking.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: an event loop is thread-safe; the class holds nothing else.
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

extension PostgresSession {
    /// `COPY table (columns) FROM STDIN` in text format, sending `chunks` as they are; blocks until the server has
    /// taken all the rows (or refused them, e.g. a duplicate key: nothing of the COPY is then kept).
    package func copy(into table: String, columns: [String], chunks: [ByteBuffer]) throws(StoreError) {
        let connection = self.connection
        let logger = self.logger
        let done = connection.eventLoop.makePromise(of: Void.self)
        Task(executorPreference: EventLoopTaskExecutor(connection.eventLoop)) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for chunk in chunks { try await writer.write(chunk) }
                }
                done.succeed(())
            } catch {
                done.fail(error)
            }
        }
        do {
            try done.futureResult.wait()
        } catch {
            throw StoreError(postgres: error, url: url)
        }
    }
}

/// Copy-fill rows in COPY's text format: `ledger TAB row TAB slot TAB lots TAB quote TAB fee TAB t|f NEWLINE`.
package enum CopyText {
    package static let columns = ["ledger", "row", "slot", "lots", "quote", "fee", "capped"]

    /// The columns of one ledger entry's copy fills (rows numbered from 0).
    package struct Part {
        package var ledger: Int64
        package var slots: [Int32]
        package var lots: [Int64]
        package var quote: [Int64]
        package var fee: [Int64]
        package var capped: [Bool]
        var count: Int { slots.count }

        init(ledger: Int64, batch b: CopyFillBatch) {
            self.init(ledger: ledger, slots: b.slots, lots: b.lots, quote: b.quote, fee: b.fee, capped: b.cappedByCash)
        }

        package init(ledger: Int64, slots: [Int32], lots: [Int64], quote: [Int64], fee: [Int64], capped: [Bool]) {
            (self.ledger, self.slots, self.lots, self.quote, self.fee, self.capped) = (ledger, slots, lots, quote, fee, capped)
        }
    }

    /// The rows of `batches`, in chunks of about `chunkBytes`.
    static func chunks(_ batches: [(ledger: Int64, batch: CopyFillBatch)], chunkBytes: Int = 1 << 20) -> [ByteBuffer] {
        chunks(batches.map { Part(ledger: $0.ledger, batch: $0.batch) }, chunkBytes: chunkBytes)
    }

    /// The rows of `parts`, in chunks of about `chunkBytes`.
    package static func chunks(_ parts: [Part], chunkBytes: Int = 1 << 20) -> [ByteBuffer] {
        var chunks: [ByteBuffer] = []
        let allocator = ByteBufferAllocator()
        // The longest row: 6 integers of up to 20 characters with their separators, and the flag.
        let maxRow = 6 * 21 + 2
        for b in parts {
            let ledger = b.ledger
            var r = 0
            while r < b.count {
                var buffer = allocator.buffer(capacity: chunkBytes + maxRow)
                let end = b.slots.withUnsafeBufferPointer { slots in
                    b.lots.withUnsafeBufferPointer { lots in
                        b.quote.withUnsafeBufferPointer { quote in
                            b.fee.withUnsafeBufferPointer { fee in
                                b.capped.withUnsafeBufferPointer { capped in
                                    var row = r
                                    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkBytes + maxRow) { out in
                                        let base = out.baseAddress!.assumingMemoryBound(to: UInt8.self)
                                        var at = 0
                                        while row < b.count && at < chunkBytes {
                                            at = write(ledger, base, at, tab: true)
                                            at = write(Int64(row), base, at, tab: true)
                                            at = write(Int64(slots[row]), base, at, tab: true)
                                            at = write(lots[row], base, at, tab: true)
                                            at = write(quote[row], base, at, tab: true)
                                            at = write(fee[row], base, at, tab: true)
                                            base[at] = capped[row] ? UInt8(ascii: "t") : UInt8(ascii: "f")
                                            base[at + 1] = UInt8(ascii: "\n")
                                            at += 2
                                            row += 1
                                        }
                                        return at
                                    }
                                    return row
                                }
                            }
                        }
                    }
                }
                r = end
                chunks.append(buffer)
            }
        }
        return chunks
    }

    /// Writes `value` in decimal at `base + at`, then a tab when asked; returns the next position.
    @inline(__always)
    static func write(_ value: Int64, _ base: UnsafeMutablePointer<UInt8>, _ at: Int, tab: Bool) -> Int {
        var at = at
        var magnitude = value.magnitude
        if value < 0 {
            base[at] = UInt8(ascii: "-")
            at += 1
        }
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var k = at + digits - 1
        repeat {
            base[k] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
            magnitude /= 10
            k -= 1
        } while magnitude > 0
        at += digits
        if tab {
            base[at] = 9
            at += 1
        }
        return at
    }
}
