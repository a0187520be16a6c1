import Foundation

/// A standard five-field cron expression (`minute hour day-of-month month day-of-week`) read in a
/// time zone, and the times it fires. Each field takes `*`, numbers, ranges `a-b`, steps `*/n` and
/// `a-b/n` (and `a/n`: from `a` to the field's end), and comma-separated lists of those; months
/// and days of the week also take their English three-letter names (`jan`, `mon`), and a day of
/// the week 7 is Sunday as 0 is. `@yearly`, `@monthly`, `@weekly`, `@daily` and `@hourly` stand
/// for their usual expressions.
///
/// The days follow the classic (Vixie cron) rule: when both the day of the month and the day of
/// the week are restricted (neither field begins with `*`), a day matches if either does; otherwise
/// both must. A local time that a daylight-saving change skips does not happen that day, and one it
/// repeats fires once (the first).
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    public let timeZone: TimeZone
    let minutes: [Int]
    let hours: [Int]
    let daysOfMonth: Set<Int>
    let months: [Int]
    /// 0 is Sunday.
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    /// How far ahead ``nextFire(after:)`` looks: a February 29 can be eight years away (2096 to 2104).
    static let searchYears = 9

    public init(_ text: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!) throws(CronExpressionError) {
        self.text = text
        self.timeZone = timeZone
        let expanded = Self.macros[text.trimmingCharacters(in: .whitespaces).lowercased()] ?? text
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw .fieldCount(text, found: fields.count)
        }
        minutes = try Field.minute.values(of: fields[0]).sorted()
        hours = try Field.hour.values(of: fields[1]).sorted()
        daysOfMonth = try Field.dayOfMonth.values(of: fields[2])
        months = try Field.month.values(of: fields[3]).sorted()
        daysOfWeek = Set(try Field.dayOfWeek.values(of: fields[4]).map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
    }

    public var description: String { text }

    /// The first time after `date` (strictly, to the minute) that the expression fires; nil when it
    /// never does within ``searchYears`` (a 30 February).
    public func nextFire(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.dateComponents([.year, .month, .day], from: date)
        guard let startYear = start.year, let startMonth = start.month, let startDay = start.day else { return nil }
        for year in startYear...(startYear + Self.searchYears) {
            for month in months where (year, month) >= (startYear, startMonth) {
                guard let noonOfFirst = calendar.date(from: DateComponents(year: year, month: month, day: 1, hour: 12)),
                      let days = calendar.range(of: .day, in: .month, for: noonOfFirst) else { continue }
                let firstWeekday = calendar.component(.weekday, from: noonOfFirst) - 1
                for day in days where (year, month, day) >= (startYear, startMonth, startDay) {
                    guard matches(day: day, weekday: (firstWeekday + day - 1) % 7) else { continue }
                    if let time = firstTime(on: (year, month, day), after: date, calendar: calendar) { return time }
                }
            }
        }
        return nil
    }

    /// Whether a day of the month and of the week (0: Sunday) is one the expression runs on.
    func matches(day: Int, weekday: Int) -> Bool {
        let dayOfMonth = daysOfMonth.contains(day)
        let dayOfWeek = daysOfWeek.contains(weekday)
        return dayOfMonthRestricted && dayOfWeekRestricted ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek
    }

    private func firstTime(on day: (year: Int, month: Int, day: Int), after date: Date, calendar: Calendar) -> Date? {
        for hour in hours {
            for minute in minutes {
                let wanted = DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute)
                guard let time = calendar.date(from: wanted), time > date else { continue }
                // Foundation moves a time that does not exist (in a daylight-saving gap) to another hour.
                let actual = calendar.dateComponents([.day, .hour, .minute], from: time)
                guard actual.day == day.day, actual.hour == hour, actual.minute == minute else { continue }
                return time
            }
        }
        return nil
    }

    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    /// One of the five fields: its name, its values and the names it takes.
    struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
        /// The value of `names[0]`.
        let firstNamed: Int

        static let minute = Field(name: "minute", range: 0...59, names: [], firstNamed: 0)
        static let hour = Field(name: "hour", range: 0...23, names: [], firstNamed: 0)
        static let dayOfMonth = Field(name: "day-of-month", range: 1...31, names: [], firstNamed: 1)
        static let month = Field(name: "month", range: 1...12,
                                 names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], firstNamed: 1)
        static let dayOfWeek = Field(name: "day-of-week", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], firstNamed: 0)

        func values(of text: String) throws(CronExpressionError) -> Set<Int> {
            var values = Set<Int>()
            for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard parts.count <= 2 else { throw invalid(text, "'\(item)' has more than one '/'") }
                var step = 1
                if parts.count == 2 {
                    guard let number = Int(parts[1]), number > 0 else { throw invalid(text, "the step '\(parts[1])' must be a whole number above 0") }
                    step = number
                }
                let bounds: ClosedRange<Int>
                if parts[0] == "*" {
                    bounds = range
                } else if let dash = parts[0].firstIndex(of: "-") {
                    let low = try value(String(parts[0][..<dash]), in: text)
                    let high = try value(String(parts[0][parts[0].index(after: dash)...]), in: text)
                    guard low <= high else { throw invalid(text, "the range '\(parts[0])' runs backwards") }
                    bounds = low...high
                } else {
                    let single = try value(parts[0], in: text)
                    bounds = parts.count == 2 ? single...range.upperBound : single...single
                }
                values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
            }
            return values
        }

        private func value(_ text: String, in field: String) throws(CronExpressionError) -> Int {
            if let index = names.firstIndex(of: text.lowercased()) { return firstNamed + index }
            guard let number = Int(text) else {
                throw invalid(field, text.isEmpty ? "has an empty value"
                    : "'\(text)' is not a number" + (names.isEmpty ? "" : " or a name (\(names.joined(separator: ", ")))"))
            }
            guard range.contains(number) else {
                throw invalid(field, "\(number) is outside \(range.lowerBound)-\(range.upperBound)")
            }
            return number
        }

        private func invalid(_ field: String, _ reason: String) -> CronExpressionError {
            .invalidField(name, field, reason: reason)
        }
    }
}

/// A cron expression that cannot be read.
public enum CronExpressionError: Error, Equatable, CustomStringConvertible {
    case fieldCount(String, found: Int)
    /// A field (by name: minute, hour, …) with its text and what is wrong with it.
    case invalidField(String, String, reason: String)

    public var description: String {
        switch self {
        case .fieldCount(let text, let found):
            "'\(text)' has \(found) field\(found == 1 ? "" : "s"); a cron expression has five: "
                + "minute hour day-of-month month day-of-week (such as \"0 2 * * *\": daily at 02:00)"
        case .invalidField(let name, let text, let reason):
            "the \(name) field '\(text)': \(reason)"
        }
    }
}
