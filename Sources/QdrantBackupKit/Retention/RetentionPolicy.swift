import Foundation

/// Which generations of one collection to keep: restic's `forget --keep-*` rules, with the same
/// semantics (restic's `ApplyPolicy`, `internal/restic/snapshot_policy.go`), in UTC.
///
/// Generations are taken newest first. Each rule with a count n keeps the newest generation of each
/// of the n newest periods (hours, days, ISO weeks, months) that have one; `last` counts single
/// generations. A generation is kept when any rule keeps it. A rule that runs out of generations
/// before its count is used up also keeps the oldest one, so a short history is kept whole rather
/// than cut at an arbitrary period (restic does the same since 0.17).
public struct RetentionPolicy: Codable, Sendable, Equatable {
    /// One keep rule, by the period it counts.
    public enum Rule: String, Codable, Sendable, CaseIterable {
        case last, hourly, daily, weekly, monthly
    }

    /// Generations (or periods) each rule keeps; 0: the rule is off.
    public var last = 0
    public var hourly = 0
    public var daily = 0
    public var weekly = 0
    public var monthly = 0

    public init(last: Int = 0, hourly: Int = 0, daily: Int = 0, weekly: Int = 0, monthly: Int = 0) {
        (self.last, self.hourly, self.daily, self.weekly, self.monthly) = (last, hourly, daily, weekly, monthly)
    }

    /// The count of `rule`.
    public func count(of rule: Rule) -> Int {
        switch rule {
        case .last: last
        case .hourly: hourly
        case .daily: daily
        case .weekly: weekly
        case .monthly: monthly
        }
    }

    /// True when no rule keeps anything: applying it would keep nothing, so it is refused.
    public var isEmpty: Bool { Rule.allCases.allSatisfy { count(of: $0) <= 0 } }

    /// For each of `times` (in the given order), the rules that keep it; an empty list means it goes.
    public func apply(to times: [Date]) -> [[Rule]] {
        let newestFirst = times.indices.sorted { times[$0] != times[$1] ? times[$0] > times[$1] : $0 < $1 }
        var reasons = [[Rule]](repeating: [], count: times.count)
        for rule in Rule.allCases where count(of: rule) > 0 {
            var left = count(of: rule)
            var lastPeriod: Int?
            for (position, index) in newestFirst.enumerated() where left > 0 {
                let period = rule == .last ? position : Self.period(of: times[index], by: rule)
                if period != lastPeriod || position == newestFirst.count - 1 {
                    reasons[index].append(rule)
                    lastPeriod = period
                    left -= 1
                }
            }
        }
        return reasons
    }

    /// The period `time` falls in under `rule`, as restic numbers it: YYYYMMDDHH, YYYYMMDD, ISO YYYYWW, YYYYMM.
    static func period(of time: Date, by rule: Rule) -> Int {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .yearForWeekOfYear, .weekOfYear], from: time)
        let (year, month, day, hour) = (parts.year!, parts.month!, parts.day!, parts.hour!)
        switch rule {
        case .last: return 0
        case .hourly: return ((year * 100 + month) * 100 + day) * 100 + hour
        case .daily: return (year * 100 + month) * 100 + day
        case .weekly: return parts.yearForWeekOfYear! * 100 + parts.weekOfYear!
        case .monthly: return year * 100 + month
        }
    }

    private static let utc: Calendar = {
        // ISO 8601 weeks (restic takes Go's ISOWeek): they start on Monday, and week 1 holds the year's first Thursday.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }()

    enum CodingKeys: String, CodingKey {
        case last = "keep_last", hourly = "keep_hourly", daily = "keep_daily", weekly = "keep_weekly", monthly = "keep_monthly"
    }
}
