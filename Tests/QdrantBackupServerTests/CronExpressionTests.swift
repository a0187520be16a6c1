import Foundation
import QdrantBackupServer
import Testing

/// The cron expressions of schedules: each row's next fire time after a given time, checked by
/// hand and against a brute-force walk minute by minute (Python's zoneinfo) when the table was written.
@Suite("cron expressions")
struct CronExpressionTests {
    static let table: [(expression: String, zone: String, after: String, next: String, why: String)] = [
        ("0 2 * * *", "UTC", "2026-01-31T03:00:00Z", "2026-02-01T02:00:00Z", "daily, across a month end"),
        ("0 0 31 * *", "UTC", "2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "the 31st skips February (strictly after)"),
        ("0 0 31 * *", "UTC", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "the 31st skips April"),
        ("59 23 30 * *", "UTC", "2026-01-30T23:59:00Z", "2026-03-30T23:59:00Z", "no 30 February"),
        ("0 12 29 2 *", "UTC", "2026-01-01T00:00:00Z", "2028-02-29T12:00:00Z", "29 February waits for a leap year"),
        ("0 12 29 2 *", "UTC", "2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z", "and the next one four years on"),
        ("0 0 13 * fri", "UTC", "2026-02-01T00:00:00Z", "2026-02-06T00:00:00Z", "both days restricted: a Friday matches"),
        ("0 0 13 * fri", "UTC", "2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "and so does the 13th"),
        ("0 0 13 * *", "UTC", "2026-02-01T00:00:00Z", "2026-02-13T00:00:00Z", "day of the week unrestricted: the 13th only"),
        ("0 9 * * mon-fri", "UTC", "2026-02-07T10:00:00Z", "2026-02-09T09:00:00Z", "weekdays, from a Saturday"),
        ("0 0 */10 * mon", "UTC", "2026-02-02T00:00:00Z", "2026-05-11T00:00:00Z", "a day field beginning with * is unrestricted: both must match"),
        ("*/15 * * * *", "UTC", "2026-02-07T10:07:00Z", "2026-02-07T10:15:00Z", "a step over the whole field"),
        ("5-20/5 3 * * *", "UTC", "2026-02-07T03:20:00Z", "2026-02-08T03:05:00Z", "a step over a range"),
        ("0 */6 * * *", "UTC", "2026-02-07T07:00:00Z", "2026-02-07T12:00:00Z", "every six hours"),
        ("30 8 1 jan,jul *", "UTC", "2026-02-07T00:00:00Z", "2026-07-01T08:30:00Z", "a list of month names"),
        ("0 0 * * 7", "UTC", "2026-02-07T12:00:00Z", "2026-02-08T00:00:00Z", "7 is Sunday"),
        ("@daily", "UTC", "2026-02-07T12:00:00Z", "2026-02-08T00:00:00Z", "a macro"),
        ("0 2 * * *", "Europe/Berlin", "2026-01-10T00:00:00Z", "2026-01-10T01:00:00Z", "02:00 in Berlin in winter is 01:00 UTC"),
        ("0 2 * * *", "Europe/Berlin", "2026-07-10T00:00:00Z", "2026-07-11T00:00:00Z", "and 00:00 UTC in summer (strictly after)"),
        ("30 2 * * *", "Europe/Berlin", "2026-03-28T02:00:00Z", "2026-03-30T00:30:00Z", "02:30 does not exist on 29 March in Berlin"),
        ("0 0 1 * *", "America/New_York", "2026-01-31T12:00:00Z", "2026-02-01T05:00:00Z", "midnight of the 1st in New York"),
    ]

    static func time(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("each expression of the table fires next when the table says", arguments: table.indices)
    func nextFire(row: Int) throws {
        let entry = Self.table[row]
        let expression = try CronExpression(entry.expression, timeZone: try #require(TimeZone(identifier: entry.zone)))
        #expect(expression.nextFire(after: Self.time(entry.after)) == Self.time(entry.next),
                "\(entry.expression) in \(entry.zone) after \(entry.after): \(entry.why)")
    }

    @Test("an expression that matches no date has no next fire time")
    func neverFires() throws {
        #expect(try CronExpression("0 0 30 2 *").nextFire(after: Self.time("2026-01-01T00:00:00Z")) == nil)
    }

    @Test("a malformed expression is refused, naming the field and what is wrong", arguments: [
        ("61 * * * *", "minute", "61 is outside 0-59"),
        ("* * *", "five", "has 3 fields"),
        ("* * * * * *", "five", "has 6 fields"),
        ("5-1 * * * *", "minute", "runs backwards"),
        ("*/0 * * * *", "minute", "above 0"),
        ("* * * foo *", "month", "'foo' is not a number or a name"),
        ("* * 0 * *", "day-of-month", "0 is outside 1-31"),
        ("* 24 * * *", "hour", "24 is outside 0-23"),
        ("* * * * 8", "day-of-week", "8 is outside 0-7"),
        ("1,,2 * * * *", "minute", "empty value"),
    ])
    func refused(text: String, field: String, reason: String) {
        do {
            _ = try CronExpression(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect("\(error)".contains(field) && "\(error)".contains(reason), "\(error)")
        }
    }
}
