import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC:
/// `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month and day names (`jan`,
/// `mon`), and the macros `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`. When both day
/// fields are restricted a day matches either (as in cron).
public struct CronExpression: Sendable, Equatable {
    public let text: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// Why an expression cannot be read.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    static let macros = ["@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
                         "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "cron '\(text)' needs 5 fields (minute hour day-of-month month day-of-week) or a macro (\(Self.macros.keys.sorted().joined(separator: ", ")))")
        }
        self.text = trimmed
        minutes = try Self.field(fields[0], "minute", 0...59, names: [])
        hours = try Self.field(fields[1], "hour", 0...23, names: [])
        daysOfMonth = try Self.field(fields[2], "day of month", 1...31, names: [])
        months = try Self.field(fields[3], "month", 1...12, names: Self.monthNames, nameBase: 1)
        // 7 is Sunday too.
        daysOfWeek = Set(try Self.field(fields[4], "day of week", 0...7, names: Self.dayNames).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    static func field(_ text: String, _ what: String, _ range: ClosedRange<Int>, names: [String], nameBase: Int = 0) throws(ParseError) -> Set<Int> {
        func value(_ token: Substring) throws(ParseError) -> Int {
            if let number = Int(token), range.contains(number) { return number }
            if let index = names.firstIndex(of: token.lowercased()) { return index + nameBase }
            throw ParseError(description: "cron \(what) '\(token)' is not in \(range.lowerBound)-\(range.upperBound)\(names.isEmpty ? "" : " or a name (\(names.joined(separator: ", ")))")")
        }
        var result = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw ParseError(description: "cron \(what) '\(part)' is not a value, range or step") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw ParseError(description: "cron \(what) step '\(pieces[1])' must be a whole number above 0") }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let low = try value(pieces[0][..<dash]), high = try value(pieces[0][pieces[0].index(after: dash)...])
                guard low <= high else { throw ParseError(description: "cron \(what) range '\(pieces[0])' runs backwards") }
                bounds = low...high
            } else {
                let single = try value(pieces[0])
                bounds = single...(pieces.count == 2 ? range.upperBound : single)
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }

    /// The first whole minute strictly after `date` that matches, within about five years; nil if none (`0 0 31 2 *`).
    public func next(after date: Date) -> Date? {
        var seconds = (Int(date.timeIntervalSince1970.rounded(.down)) / 60 + 1) * 60
        let limit = seconds + 5 * 366 * 86_400
        while seconds < limit {
            var time = tm()
            var now = time_t(seconds)
            gmtime_r(&now, &time)
            let month = Int(time.tm_mon) + 1, day = Int(time.tm_mday), weekday = Int(time.tm_wday)
            let hour = Int(time.tm_hour), minute = Int(time.tm_min)
            if !months.contains(month) {
                // First minute of the next month.
                time.tm_mon += 1; time.tm_mday = 1; time.tm_hour = 0; time.tm_min = 0; time.tm_sec = 0
                seconds = Int(timegm(&time))
                continue
            }
            if !dayMatches(day: day, weekday: weekday) {
                seconds = (seconds / 86_400 + 1) * 86_400
                continue
            }
            if !hours.contains(hour) {
                seconds = (seconds / 3600 + 1) * 3600
                continue
            }
            if !minutes.contains(minute) {
                seconds += 60
                continue
            }
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
        return nil
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (dayOfMonthRestricted, dayOfWeekRestricted) {
        case (true, true): return daysOfMonth.contains(day) || daysOfWeek.contains(weekday)
        case (true, false): return daysOfMonth.contains(day)
        case (false, true): return daysOfWeek.contains(weekday)
        case (false, false): return true
        }
    }
}
