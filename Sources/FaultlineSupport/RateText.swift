/// Transfer rates in tc's notation: a number and `bit`, `kbit`, `mbit`, `gbit` (bits per second)
/// or `bps`, `kbps`, `mbps`, `gbps` (bytes per second); k, m, g are powers of 1000.
public enum RateText {
    /// The rate in bytes per second, or nil when `text` is not a rate.
    public static func bytesPerSecond(_ text: String) -> Double? {
        let units: [(String, Double)] = [("gbit", 1e9 / 8), ("mbit", 1e6 / 8), ("kbit", 1e3 / 8), ("bit", 1.0 / 8),
                                         ("gbps", 1e9), ("mbps", 1e6), ("kbps", 1e3), ("bps", 1)]
        let lowered = text.lowercased()
        for (unit, factor) in units where lowered.hasSuffix(unit) {
            guard let number = Double(lowered.dropLast(unit.count)), number > 0, number.isFinite else { return nil }
            return number * factor
        }
        return nil
    }
}
