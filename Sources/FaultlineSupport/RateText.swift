/// Transfer rates in tc's notation: a number and `bit`, `kbit`, `mbit`, `gbit` (bits per second)
/// or `bps`, `kbps`, `mbps`, `gbps` (bytes per second); k, m, g are powers of 1000. Bounded to
/// `8bit` … `100gbit`, so every figure derived from a rate (a tbf burst, a proxy's pacing) fits.
public enum RateText {
    /// The accepted rates, in bytes per second (8 bit/s … 100 Gbit/s).
    public static let range: ClosedRange<Double> = 1...12.5e9
    /// How the range reads in a message.
    public static let rangeText = "8bit … 100gbit"

    /// A rate text that could not be read or is out of range.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let text: String
        public let reason: String
        public var description: String {
            "'\(text)' is not a rate: \(reason) (a number and bit, kbit, mbit, gbit, bps, kbps, mbps or gbps, from \(RateText.rangeText); e.g. 1mbit, 500kbit, 10mbps)"
        }
    }

    private static let units: [(String, Double)] = [("gbit", 1e9 / 8), ("mbit", 1e6 / 8), ("kbit", 1e3 / 8), ("bit", 1.0 / 8),
                                                    ("gbps", 1e9), ("mbps", 1e6), ("kbps", 1e3), ("bps", 1)]

    /// The rate in bytes per second.
    public static func parse(_ text: String) throws(ParseError) -> Double {
        let lowered = text.lowercased()
        guard let (unit, factor) = units.first(where: { lowered.hasSuffix($0.0) }) else { throw ParseError(text: text, reason: "no unit") }
        guard let number = Double(lowered.dropLast(unit.count)), number.isFinite, number > 0 else {
            throw ParseError(text: text, reason: "expected a positive number before '\(unit)'")
        }
        let rate = number * factor
        guard range.contains(rate) else { throw ParseError(text: text, reason: rate < range.lowerBound ? "below the smallest rate" : "above the largest rate") }
        return rate
    }

    /// The rate in bytes per second, or nil when `text` is not a rate in range.
    public static func bytesPerSecond(_ text: String) -> Double? { try? parse(text) }
}
