/// A moment (milliseconds since 1970, UTC) split into calendar fields, for the texts that write times: the
/// scenario's ISO 8601 and FIX's UTCTimestamp. Days to a date by Howard Hinnant's `civil_from_days`.
public struct CivilTime: Sendable, Hashable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    public init(milliseconds ms: Int64) {
        let totalSeconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        millisecond = Int(ms - totalSeconds * 1000)
        var days = Int(totalSeconds >= 0 ? totalSeconds / 86400 : (totalSeconds - 86399) / 86400)
        let secs = Int(totalSeconds - Int64(days) * 86400)
        (hour, minute, second) = (secs / 3600, secs / 60 % 60, secs % 60)
        days += 719468
        let era = (days >= 0 ? days : days - 146096) / 146097
        let doe = days - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// `v` with leading zeros to `width` digits.
    public static func padded(_ v: Int, _ width: Int) -> String {
        let text = String(v)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
