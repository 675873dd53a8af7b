import Foundation
import SmartSyncCore

#if canImport(Glibc)
    import Glibc
#endif

/// Snapshots of the engine: files `<commands>.snapshot` in `<database>.snapshots/` beside a SQLite database, or in
/// `smartsync-snapshots/<database id>/` (under `SMARTSYNC_SNAPSHOT_DIR` when set) for a PostgreSQL one, each the whole
/// engine after its first `<commands>` commands. Opening loads the newest valid one and replays only the
/// log after it; the log stays the truth (`audit` replays it from zero and checks the newest snapshot against it).
///
/// A file is a header and the engine's bytes (`Engine.snapshotBytes`):
///
///     "SMARTSYNC SNAPSHOT\n"  19 bytes
///     format                  UInt32 LE   (Engine.snapshotFormat)
///     commands                Int64 LE    (commands applied: the log position it stands for)
///     length                  Int64 LE    (bytes of the engine that follow)
///     sha256                  32 bytes    (of those bytes)
///     database                36 bytes    (the id of the database it belongs to, ASCII)
///     engine                  `length` bytes
///
/// It is written to `<name>.<pid>.partial`, flushed to disk, then renamed, so a process killed while writing leaves the
/// previous snapshots as they were. A file that is cut short, whose hash does not match, or whose format is newer
/// than this build's is skipped with a warning and never trusted.
public struct SnapshotFiles: Sendable {
    public let directory: String
    /// Snapshots kept; older ones are deleted after a new one is written.
    public var keep = 2

    static let magic = Array("SMARTSYNC SNAPSHOT\n".utf8)
    /// Where each header field starts (the layout above).
    static let formatAt = magic.count, commandsAt = formatAt + 4, lengthAt = commandsAt + 8, hashAt = lengthAt + 8
    static let databaseAt = hashAt + 32, headerSize = databaseAt + 36

    public init(directory: String) { self.directory = directory }

    /// The snapshot directory of a SQLite database file.
    public init(database path: String) { self.init(directory: path + ".snapshots") }

    /// A snapshot file as found on disk.
    public struct Entry: Sendable, Hashable {
        public var commands: Int
        public var path: String
    }

    /// Why a snapshot was not used.
    public enum Problem: Error, Sendable, CustomStringConvertible {
        case unreadable(path: String, detail: String)
        case damaged(path: String, detail: String)
        case newerFormat(path: String, format: UInt32)
        case olderFormat(path: String, format: UInt32)
        case aheadOfLog(path: String, commands: Int, logged: Int)
        case otherDatabase(path: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let detail): return "snapshot \(path) cannot be read: \(detail)"
            case .damaged(let path, let detail): return "snapshot \(path) is damaged (\(detail)); not used"
            case .newerFormat(let path, let format):
                return
                    "snapshot \(path) has format \(format), newer than this build's \(Engine.snapshotFormat) (written by a newer SmartSync); not used"
            case .olderFormat(let path, let format):
                return
                    "snapshot \(path) has format \(format), older than this build's \(Engine.snapshotFormat); not used (the log is replayed instead, and the next snapshot has the new format)"
            case .otherDatabase(let path): return "snapshot \(path) belongs to another database; not used"
            case .aheadOfLog(let path, let commands, let logged):
                return "snapshot \(path) stands for \(commands) commands but the log holds \(logged); not used"
            }
        }
    }

    /// The snapshot files, newest first.
    public func list() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> Entry? in
            guard name.hasSuffix(".snapshot"), let n = Int(name.dropLast(".snapshot".count)) else { return nil }
            return Entry(commands: n, path: directory + "/" + name)
        }.sorted { $0.commands > $1.commands }
    }

    /// Writes the engine as it stands after `commands` commands; returns the file written and its size.
    @discardableResult
    public func write(_ engine: Engine, commands: Int, database: String) throws -> (path: String, bytes: Int) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // What a process killed while writing left behind (`<name>.<pid>.partial`; several processes may share the
        // folder, as instances on one PostgreSQL database do: only a dead writer's are removed).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".partial") {
            let pid = name.split(separator: ".").dropLast().last.flatMap { Int32($0) }
            if let pid, pid != getpid(), kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
        let name = String(format: "%015d.snapshot", commands)
        let path = directory + "/" + name
        let partial = path + ".\(getpid()).partial"
        // The engine is streamed after a header written last, once its length and hash are known.
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw StoreError.io(path: partial, detail: String(cString: strerror(errno))) }
        defer { close(fd) }
        var hasher = StreamingSHA256()
        var length = 0
        var failure: String?
        guard lseek(fd, off_t(Self.headerSize), SEEK_SET) == off_t(Self.headerSize) else {
            throw StoreError.io(path: partial, detail: String(cString: strerror(errno)))
        }
        engine.writeSnapshot { chunk in
            guard failure == nil else { return }
            hasher.update(chunk)
            length += chunk.count
            if let problem = Self.writeAll(fd, chunk) { failure = problem }
        }
        if let failure { throw StoreError.io(path: partial, detail: failure) }
        var header = Self.magic
        withUnsafeBytes(of: Engine.snapshotFormat.littleEndian) { header.append(contentsOf: $0) }
        withUnsafeBytes(of: Int64(commands).littleEndian) { header.append(contentsOf: $0) }
        withUnsafeBytes(of: Int64(length).littleEndian) { header.append(contentsOf: $0) }
        header += hasher.finalize()
        header += Self.idBytes(database)
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw StoreError.io(path: partial, detail: String(cString: strerror(errno))) }
        if let problem = Self.writeAll(fd, header) { throw StoreError.io(path: partial, detail: problem) }
        guard fsync(fd) == 0 else { throw StoreError.io(path: partial, detail: "fsync: \(String(cString: strerror(errno)))") }
        guard rename(partial, path) == 0 else {
            throw StoreError.io(path: path, detail: "rename failed: \(String(cString: strerror(errno)))")
        }
        Self.syncDirectory(directory)
        for old in list().dropFirst(keep) { try? FileManager.default.removeItem(atPath: old.path) }
        return (path, Self.headerSize + length)
    }

    static func idBytes(_ id: String) -> [UInt8] {
        Array((Array(id.utf8) + [UInt8](repeating: 0x20, count: 36)).prefix(36))
    }

    /// Reads and checks one snapshot file (of the database with id `database`).
    public func read(_ entry: Entry, database: String) throws(Problem) -> Engine {
        let bytes: [UInt8]
        do { bytes = try Self.readAll(entry.path) } catch { throw .unreadable(path: entry.path, detail: error.description) }
        guard bytes.count >= Self.headerSize else {
            throw .damaged(path: entry.path, detail: "\(bytes.count) bytes, shorter than its header")
        }
        guard Array(bytes[0..<Self.formatAt]) == Self.magic else { throw .damaged(path: entry.path, detail: "not a SmartSync snapshot") }
        func int(_ at: Int, _ size: Int) -> Int64 {
            var v: Int64 = 0
            for k in (at..<(at + size)).reversed() { v = v << 8 | Int64(bytes[k]) }
            return v
        }
        let format = UInt32(int(Self.formatAt, 4))
        guard format <= Engine.snapshotFormat else { throw .newerFormat(path: entry.path, format: format) }
        guard format == Engine.snapshotFormat else { throw .olderFormat(path: entry.path, format: format) }
        let commands = Int(int(Self.commandsAt, 8))
        let length = Int(int(Self.lengthAt, 8))
        guard commands == entry.commands else {
            throw .damaged(path: entry.path, detail: "its header says \(commands) commands, its name \(entry.commands)")
        }
        guard length == bytes.count - Self.headerSize else {
            throw .damaged(path: entry.path, detail: "\(bytes.count - Self.headerSize) bytes of engine where its header says \(length)")
        }
        let payload = bytes[Self.headerSize...]
        guard SHA256.digest(payload) == Array(bytes[Self.hashAt..<Self.databaseAt]) else {
            throw .damaged(path: entry.path, detail: "its SHA-256 does not match")
        }
        guard !database.isEmpty, Array(bytes[Self.databaseAt..<Self.headerSize]) == Self.idBytes(database) else {
            throw .otherDatabase(path: entry.path)
        }
        do { return try Engine(snapshot: payload) } catch { throw .damaged(path: entry.path, detail: error.description) }
    }

    /// The newest snapshot that reads and checks and stands for at most `logged` commands; problems with newer
    /// ones go to `warn`.
    public func newest(atMost logged: Int, database: String, warn: (Problem) -> Void) -> (engine: Engine, commands: Int)? {
        for entry in list() {
            if entry.commands > logged {
                warn(.aheadOfLog(path: entry.path, commands: entry.commands, logged: logged))
                continue
            }
            do {
                return (try read(entry, database: database), entry.commands)
            } catch {
                warn(error)
            }
        }
        return nil
    }

    /// What `audit` found of a database's snapshots, newest first: the ones it could not use, then the newest
    /// usable one compared with the replay of the log at its position.
    public enum Check: Sendable {
        case skipped(Problem)
        case equal(Entry)
        case different(Entry)
    }

    /// Checks the newest usable snapshot of the database `location` (a SQLite file or a PostgreSQL URL) against the
    /// log replayed from zero up to its position (byte for byte in the canonical snapshot format); snapshots that
    /// cannot be used are listed first.
    public static func check(database location: String) throws -> [Check] {
        let log: AnyCommandLog
        if PostgresURL.isPostgres(location) {
            log = try StoreDatabase.openLog(location)
        } else {
            log = AnyCommandLog(try SQLiteCommandLog(snapshotOf: location))
        }
        guard let files = try StoreDatabase.snapshots(of: location, log: log, create: false) else { return [] }
        let entries = files.list()
        guard !entries.isEmpty else { return [] }
        let id = try log.databaseID()
        let logged = try log.commandCount()
        var checks: [Check] = []
        for entry in entries {
            guard entry.commands <= logged else {
                checks.append(.skipped(.aheadOfLog(path: entry.path, commands: entry.commands, logged: logged)))
                continue
            }
            let snapshot: Engine
            do { snapshot = try files.read(entry, database: id) } catch {
                checks.append(.skipped(error))
                continue
            }
            // The replay keeps its history; a server's engine (what the snapshot holds) released it to the database.
            var replayed = try DurableEngine(log: log, upTo: entry.commands).engine
            if snapshot.historyInStore { replayed.releaseHistory() }
            checks.append(replayed.snapshotBytes() == snapshot.snapshotBytes() ? .equal(entry) : .different(entry))
            break
        }
        return checks
    }

    /// A whole file in one buffer (read straight into it).
    static func readAll(_ path: String) throws(SnapshotError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SnapshotError(String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SnapshotError(String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = Glibc.read(fd, buffer.baseAddress! + done, min(size - done, 1 << 26))
                if n <= 0 {
                    failure = n == 0 ? "the file ended early" : String(cString: strerror(errno))
                    break
                }
                done += n
            }
            initialized = done
        }
        if let failure { throw SnapshotError(failure) }
        return bytes
    }

    /// Writes all of `bytes`; the error in words, nil when written.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, min($0.count, 1 << 26)) }
            guard n > 0 else { return String(cString: strerror(errno)) }
            written += n
        }
        return nil
    }

    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
