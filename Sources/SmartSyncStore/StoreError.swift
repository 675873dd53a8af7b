import Foundation
import GRDB

/// Why a database cannot be used; each case names the file and says what to do.
public enum StoreError: Error, CustomStringConvertible {
    case notADatabase(path: String, detail: String)
    case corrupt(path: String, detail: String)
    case readOnly(path: String, detail: String)
    case locked(path: String)
    case newerSchema(path: String, unknown: [String])
    case inconsistent(path: String, problems: [String])
    case broken(path: String)
    case io(path: String, detail: String)
    /// A database string that is neither a file path nor a well-formed `postgres://` URL.
    case badURL(path: String, detail: String)
    /// The database server cannot be reached.
    case unreachable(path: String, detail: String)
    /// The server refused the credentials, or the database does not exist.
    case accessDenied(path: String, detail: String)
    /// No database at this path (nothing was created).
    case notFound(path: String)
    /// Another writer appended to the log: it continues at `found`, this engine would have written `expected`.
    case behind(path: String, expected: Int, found: Int)

    init(_ error: any Error, path: String) {
        if let e = error as? StoreError {
            self = e
            return
        }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_NOTADB: self = .notADatabase(path: path, detail: e.message ?? "\(e)")
            case .SQLITE_CORRUPT: self = .corrupt(path: path, detail: e.message ?? "\(e)")
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: self = .readOnly(path: path, detail: e.message ?? "\(e)")
            case .SQLITE_BUSY, .SQLITE_LOCKED: self = .locked(path: path)
            default: self = .io(path: path, detail: "\(e)")
            }
            return
        }
        self = .io(path: path, detail: "\(error)")
    }

    public var description: String {
        switch self {
        case .notADatabase(let path, let detail):
            return "\(path) is not a SmartSync database (\(detail)); nothing was changed"
        case .corrupt(let path, let detail):
            return "\(path) is corrupt (\(detail)); nothing was changed — restore it from a backup"
        case .readOnly(let path, let detail):
            return "\(path) cannot be written (\(detail))"
        case .locked(let path):
            return "\(path) is in use by another SmartSync process (it holds \(path).lock); stop that process first"
        case .newerSchema(let path, let unknown):
            return
                "\(path) was written by a newer SmartSync (schema steps \(unknown.joined(separator: ", ")) are unknown to this build); nothing was changed — upgrade SmartSync"
        case .inconsistent(let path, let problems):
            return "\(path) is inconsistent: " + problems.prefix(5).joined(separator: "; ")
        case .broken(let path):
            return "a write to \(path) failed earlier; reopen the database to continue from what was committed"
        case .notFound(let path):
            return "there is no database at \(path) (nothing was created); name an existing one with --db"
        case .io(let path, let detail):
            return "\(path): \(detail)"
        case .badURL(let path, let detail):
            return "\(path) is not a usable database URL: \(detail)"
        case .unreachable(let path, let detail):
            return "cannot reach the PostgreSQL server of \(path): \(detail)"
        case .accessDenied(let path, let detail):
            return "\(path) refused the connection: \(detail)"
        case .behind(let path, let expected, let found):
            return found > expected
                ? "\(path): another instance appended commands \(expected)–\(found - 1) first; nothing was written — catch up and retry"
                : "\(path): the command log ends at \(found) but this engine continues at \(expected); nothing was written — reopen the database"
        }
    }
}
