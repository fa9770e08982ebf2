@testable import Daemon
import FaultlineSupport
import Foundation
import Testing

@Suite struct CronExpressionTests {
    static func date(_ text: String) -> Date { Timestamp.parse(text)! }

    // The next firing is the first matching minute strictly after the given time, in UTC.
    @Test(arguments: [
        ("*/15 * * * *", "2026-11-22T05:07:30Z", "2026-11-22T05:15:00.000Z"),
        ("0 3 * * *", "2026-11-22T03:00:00Z", "2026-11-23T03:00:00.000Z"),
        ("30 9 * * mon-fri", "2026-11-21T10:00:00Z", "2026-11-23T09:30:00.000Z"),
        ("0 0 1 jan *", "2026-11-22T00:00:00Z", "2027-01-01T00:00:00.000Z"),
        ("@hourly", "2026-11-22T05:59:59Z", "2026-11-22T06:00:00.000Z"),
        ("0 12 13 * 5", "2026-11-01T00:00:00Z", "2026-11-06T12:00:00.000Z"),
        ("5-10/5 * * * *", "2026-11-22T05:06:00Z", "2026-11-22T05:10:00.000Z"),
        ("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"),
        ("0 0 * * 7", "2026-11-22T00:00:00Z", "2026-11-29T00:00:00.000Z"),
    ])
    func findsTheNextMinute(expression: String, after: String, expected: String) throws {
        let next = try #require(try CronExpression(expression).next(after: Self.date(after)))
        #expect(Timestamp.iso8601(next) == expected)
    }

    // A day that never comes gives nil instead of looping.
    @Test func neverIsNil() throws {
        #expect(try CronExpression("0 0 31 2 *").next(after: Self.date("2026-01-01T00:00:00Z")) == nil)
    }

    // Mistakes name the field, the value and what is allowed.
    @Test(arguments: [
        ("* * * *", "needs 5 fields"),
        ("61 * * * *", "cron minute '61' is not in 0-59"),
        ("* * * foo *", "cron month 'foo' is not in 1-12 or a name (jan, feb"),
        ("*/0 * * * *", "step '0' must be a whole number above 0"),
        ("10-5 * * * *", "range '10-5' runs backwards"),
        ("@fortnightly", "needs 5 fields"),
    ])
    func refusesMistakes(expression: String, expected: String) {
        #expect { try CronExpression(expression) } throws: { "\($0)".contains(expected) }
    }
}
