/// Parses memory sizes as docker does: `512m`, `1g`, `256MiB`, `1048576`.
public enum ByteSize {
    /// A size text that could not be read.
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let text: String
        public var description: String {
            "invalid size '\(text)' (examples: 64m, 512MiB, 1g, 1048576; units: b, k, m, g with optional iB/B)"
        }
    }

    public static func parse(_ text: String) throws(ParseError) -> Int64 {
        let lowered = text.trimmingCharactersInWhitespace().lowercased()
        let digits = lowered.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let value = Double(digits), value > 0 else { throw ParseError(text: text) }
        let unit = lowered.dropFirst(digits.count)
        let multiplier: Double
        switch unit {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1024
        case "m", "mb", "mib": multiplier = 1024 * 1024
        case "g", "gb", "gib": multiplier = 1024 * 1024 * 1024
        default: throw ParseError(text: text)
        }
        let bytes = value * multiplier
        guard bytes < 9.2e18 else { throw ParseError(text: text) }
        return Int64(bytes.rounded())
    }

    /// `64MiB`, `1.5GiB`, `512KiB`, `100B`.
    public static func format(_ bytes: Int64) -> String {
        let units: [(String, Double)] = [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024)]
        for (name, size) in units where Double(bytes) >= size {
            let value = Double(bytes) / size
            let text = value == value.rounded() ? String(Int64(value)) : String((value * 10).rounded() / 10)
            return text + name
        }
        return "\(bytes)B"
    }
}

extension ByteSize.ParseError: ExitCodeClassified {
    public var exitCode: FaultlineExitCode { .invalidInput }
}
