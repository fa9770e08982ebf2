import FaultlineSupport
import Testing

@Suite struct DurationTextTests {
    // Each Go-style duration reads as the expected number of milliseconds.
    @Test(arguments: [("500ms", 500.0), ("30s", 30_000), ("1m30s", 90_000), ("1.5s", 1_500), ("2h", 7_200_000),
                      ("0", 0), ("250us", 0.25), (" 10s ", 10_000), ("1h1m1s", 3_661_000)])
    func parsesDurations(text: String, milliseconds: Double) throws {
        #expect(try DurationText.parse(text).milliseconds == milliseconds)
    }

    // Bad texts are refused with a reason and the allowed units.
    @Test(arguments: ["", "abc", "10", "3q", "-5s", "s", "1.2.3s"])
    func refusesBadDurations(text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.parse(text) }
        do {
            _ = try DurationText.parse(text)
        } catch {
            #expect(error.description.contains("units: ns, us, ms, s, m, h"))
        }
    }

    // Formatting is compact and round-trips through parse.
    @Test(arguments: [("250ms", Duration.milliseconds(250)), ("1.5s", .milliseconds(1500)), ("2m", .seconds(120)),
                      ("1h30m", .seconds(5400)), ("0s", .zero), ("1m0.5s", .milliseconds(60_500))])
    func formats(expected: String, duration: Duration) throws {
        #expect(DurationText.format(duration) == expected)
        #expect(try DurationText.parse(expected) == duration)
    }
}
