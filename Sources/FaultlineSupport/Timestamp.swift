import Foundation

/// Wall-clock timestamps as faultline prints and records them: ISO-8601, UTC, milliseconds.
public enum Timestamp {
    /// `2026-11-22T00:31:02.114Z` for the given instant.
    public static func iso8601(_ date: Date = Date()) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = time_t(millis / 1000)
        var parts = tm()
        var copy = seconds
        gmtime_r(&copy, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis % 1000))
    }

    /// Parses what `iso8601(_:)` and the Docker engine write (fractional seconds of any length, `Z` or offset).
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        // The engine writes nanoseconds; ISO8601DateFormatter accepts at most milliseconds reliably.
        if let dot = text.firstIndex(of: "."), let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" }) {
            let fraction = text[text.index(after: dot)..<zone].prefix(3)
            let shortened = String(text[..<dot]) + "." + fraction + String(text[zone...])
            if let date = formatter.date(from: shortened) { return date }
        }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
