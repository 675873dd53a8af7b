import SmartSyncCore

/// ISO 8601 times as milliseconds since 1970 (UTC), without Foundation's date formatters.
public enum ISO8601 {
    /// Parses `2021-05-05`, `2021-05-05T00:00:00Z`, `2021-05-05T00:00:00.250+02:00`.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<at + n {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let year = digits(0, 4), b.count >= 10, b[4] == 45, let month = digits(5, 2), b[7] == 45,
            let day = digits(8, 2), (1...12).contains(month), day >= 1, day <= daysIn(month, year)
        else { return nil }
        var seconds = 0
        var millis = 0
        var offset = 0
        var i = 10
        if i < b.count {
            guard b[i] == 84 || b[i] == 32, let h = digits(11, 2), b.count > 13, b[13] == 58, let m = digits(14, 2),
                h < 24, m < 60
            else { return nil }
            seconds = h * 3600 + m * 60
            i = 16
            if i < b.count && b[i] == 58 {
                guard let s = digits(17, 2), s < 60 else { return nil }
                seconds += s
                i = 19
                if i < b.count && b[i] == 46 {
                    i += 1
                    var scale = 100
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        millis += Int(b[i] - 48) * scale
                        scale /= 10
                        i += 1
                    }
                }
            }
            guard i < b.count else { return nil }  // a zone is required with a time
            if b[i] == 90 {
                i += 1
            } else if b[i] == 43 || b[i] == 45 {
                guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = digits(i + 4, 2) else { return nil }
                offset = (oh * 3600 + om * 60) * (b[i] == 43 ? 1 : -1)
                i += 6
            } else {
                return nil
            }
            guard i == b.count else { return nil }
        }
        let days = daysFromCivil(year, month, day)
        return (Int64(days) * 86400 + Int64(seconds - offset)) * 1000 + Int64(millis)
    }

    /// Formats milliseconds since 1970 as `2021-05-05T00:00:00Z` (with `.mmm` when not whole seconds).
    public static func format(_ ms: Int64) -> String {
        let t = CivilTime(milliseconds: ms)
        let two = { CivilTime.padded($0, 2) }
        var text = "\(t.year)-\(two(t.month))-\(two(t.day))T\(two(t.hour)):\(two(t.minute)):\(two(t.second))"
        if t.millisecond != 0 { text += "." + CivilTime.padded(t.millisecond, 3) }
        return text + "Z"
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// days_from_civil (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
