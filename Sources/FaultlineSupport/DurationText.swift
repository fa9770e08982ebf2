/// Parses and prints human durations such as `500ms`, `30s`, `1m30s`, `1.5h`.
///
/// The grammar is Go's `time.ParseDuration` (units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`),
/// which is what users of Pumba, Toxiproxy and docker already type.
public enum DurationText {
    /// A duration text that could not be read; `description` says what was wrong and what is allowed.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let text: String
        public let reason: String
        public var description: String {
            "invalid duration '\(text)': \(reason) (examples: 500ms, 30s, 1m30s, 2h; units: ns, us, ms, s, m, h)"
        }
    }

    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// Reads a duration; negative durations are refused.
    public static func parse(_ text: String) throws(ParseError) -> Duration {
        let trimmed = text.trimmingCharactersInWhitespace()
        guard !trimmed.isEmpty else { throw ParseError(text: text, reason: "empty") }
        if trimmed == "0" { return .zero }
        if trimmed.hasPrefix("-") { throw ParseError(text: text, reason: "negative durations are not allowed") }
        var rest = Substring(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
        var seconds = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else {
                throw ParseError(text: text, reason: "expected a number at '\(rest)'")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard !unitText.isEmpty else {
                throw ParseError(text: text, reason: "missing unit after '\(number)'")
            }
            guard let unit = units.first(where: { $0.0 == unitText }) else {
                throw ParseError(text: text, reason: "unknown unit '\(unitText)'")
            }
            seconds += value * unit.1
            rest = rest.dropFirst(unitText.count)
        }
        guard seconds.isFinite, seconds < 1e9 else { throw ParseError(text: text, reason: "too large") }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// Prints a duration compactly: `250ms`, `1.5s`, `2m`, `1h30m`.
    public static func format(_ duration: Duration) -> String {
        let nanos = duration.nanoseconds
        if nanos == 0 { return "0s" }
        if nanos < 1_000_000 { return "\(trim(Double(nanos) / 1e3))us" }
        if nanos < 1_000_000_000 { return "\(trim(Double(nanos) / 1e6))ms" }
        let seconds = Double(nanos) / 1e9
        if seconds < 60 { return "\(trim(seconds))s" }
        let whole = Int64(seconds)
        let hours = whole / 3600, minutes = (whole % 3600) / 60
        let secs = seconds - Double(hours * 3600 + minutes * 60)
        var out = ""
        if hours > 0 { out += "\(hours)h" }
        if minutes > 0 { out += "\(minutes)m" }
        if secs >= 0.0005 { out += "\(trim(secs))s" }
        return out
    }

    private static func trim(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = String(rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return product + attoseconds / 1_000_000_000
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The duration in milliseconds as a floating-point number.
    public var milliseconds: Double { Double(nanoseconds) / 1e6 }
}

extension String {
    func trimmingCharactersInWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}

extension DurationText.ParseError: ExitCodeClassified {
    public var exitCode: FaultlineExitCode { .invalidInput }
}
