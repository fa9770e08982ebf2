import FaultlineSupport
import FaultProxy

/// What a fault parameter's value is, with its bounds: reads a text the same way whether it came
/// from a campaign file or a command line, so both accept and refuse the same values.
public enum ParameterType: Sendable {
    /// A finite number within the range, in `unit` ("cores").
    case number(ClosedRange<Double>, unit: String)
    /// A duration within the range (`200ms`, `1m30s`).
    case duration(ClosedRange<Duration>)
    /// Whole seconds within the range: `10`, `10s` and `1m` alike; `1500ms` is refused.
    case seconds(ClosedRange<Int>)
    /// A size (`64m`, `1g`) of at least `minimum` bytes.
    case size(minimum: Int64)
    /// A rate the traffic shaper takes (`1mbit`), 8bit … 100gbit.
    case rate
    /// A Linux signal: `SIGTERM`, `term` or `15`.
    case signal
    /// One of the words.
    case choice([String])
    /// A port, optionally with its protocol: `5432`, `53/udp`.
    case port
    /// A name that must not be empty (a network, a peer, a proxy).
    case name
    /// A toxic as `faultline proxy --toxic` reads it (`latency=2s,stream=upstream`).
    case toxic
    /// `true` or `false` (a campaign's YAML boolean).
    case flag

    /// Why a text is not a value of the type: what follows the parameter's name (" must be …" or ": …").
    public struct Problem: Error {
        public let problem: String
        init(_ problem: String) { self.problem = problem }
    }

    /// A yes/no parameter: `--include-main` alone on a command line means true.
    public var isFlag: Bool {
        if case .flag = self { return true }
        return false
    }

    /// Reads and checks one text.
    public func read(_ text: String) throws(Problem) -> ParameterValue {
        switch self {
        case .number(let range, let unit):
            guard let value = Double(text.trimmingWhitespace), value.isFinite else { throw Problem(" must be a number, got '\(text)'") }
            guard range.contains(value) else {
                throw Problem(" must be \(Self.format(range.lowerBound)) … \(Self.format(range.upperBound)) (\(unit)), got \(text)")
            }
            return .number(value)
        case .duration(let range):
            let value: Duration
            do { value = try DurationText.parse(text) } catch { throw Problem(": \(error)") }
            guard range.contains(value) else {
                throw Problem(" must be \(DurationText.format(range.lowerBound)) … \(DurationText.format(range.upperBound)), got \(text)")
            }
            return .duration(value)
        case .seconds(let range):
            let bounds = "\(range.lowerBound) … \(range.upperBound) seconds"
            let seconds: Int
            if let whole = Int(text.trimmingWhitespace) {
                seconds = whole
            } else {
                let value: Duration
                do { value = try DurationText.parse(text) } catch { throw Problem(" must be whole seconds (\(bounds)): \(error)") }
                let (whole, attoseconds) = value.components
                guard attoseconds == 0 else { throw Problem(" must be whole seconds (the engine counts in seconds), got \(text)") }
                guard whole <= Int64(Int.max) else { throw Problem(" must be \(bounds), got \(text)") }
                seconds = Int(whole)
            }
            guard range.contains(seconds) else { throw Problem(" must be \(bounds), got \(text)") }
            return .seconds(seconds)
        case .size(let minimum):
            // A size may be nothing where the parameter allows it (disk-fill's `remaining: 0`).
            if minimum == 0, let zero = Double(text.trimmingWhitespace.lowercased().trimmingSuffix(in: "bkmgi")), zero == 0 { return .bytes(0) }
            let bytes: Int64
            do { bytes = try ByteSize.parse(text) } catch { throw Problem(": \(error)") }
            guard bytes >= minimum else { throw Problem(" must be at least \(ByteSize.format(minimum)), got \(text)") }
            return .bytes(bytes)
        case .rate:
            do { _ = try RateText.parse(text) } catch { throw Problem(": \(error)") }
            return .text(text)
        case .signal:
            do { return .text(try SignalName.normalize(text)) } catch { throw Problem(": \(error)") }
        case .choice(let words):
            let word = text.lowercased()
            guard words.contains(word) else {
                let hint = NameSuggestions.closest(to: word, among: words, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
                throw Problem(": '\(text)' is not one of \(words.joined(separator: ", "))\(hint)")
            }
            return .text(word)
        case .port:
            guard let port = BlackholeFault.Port.parse(text) else { throw Problem(": '\(text)' is not a port (1-65535, optionally /tcp or /udp)") }
            return .text(text.contains("/") ? port.description : String(port.number))
        case .name:
            guard !text.trimmingWhitespace.isEmpty else { throw Problem(" must not be empty") }
            return .text(text)
        case .toxic:
            do { _ = try Toxic.parse(text) } catch { throw Problem(": \(error)") }
            return .text(text)
        case .flag:
            switch text.trimmingWhitespace.lowercased() {
            case "true": return .flag(true)
            case "false": return .flag(false)
            default: throw Problem(" must be true or false, got '\(text)'")
            }
        }
    }

    /// The bounds as a reader sees them (`0.01 … 1024 cores`); nil for a free name.
    public var bounds: String? {
        switch self {
        case .number(let range, let unit): return "\(Self.format(range.lowerBound)) … \(Self.format(range.upperBound)) \(unit)"
        case .duration(let range): return "\(DurationText.format(range.lowerBound)) … \(DurationText.format(range.upperBound))"
        case .seconds(let range): return "\(range.lowerBound) … \(range.upperBound) s"
        case .size(let minimum): return "at least \(ByteSize.format(minimum))"
        case .rate: return RateText.rangeText
        case .signal: return "a signal name or number"
        case .choice(let words): return words.joined(separator: " | ")
        case .port: return "1-65535[/tcp|/udp]"
        case .name: return nil
        case .toxic: return "\(Toxic.typeNames.joined(separator: " | "))=…"
        case .flag: return "true | false"
        }
    }

    /// `0.01`, `1024`.
    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension String {
    /// Without the trailing characters that are in `characters` (`0mib` → `0`).
    func trimmingSuffix(in characters: String) -> String {
        var text = Substring(self)
        while let last = text.last, characters.contains(last) { text.removeLast() }
        return String(text)
    }

    var trimmingWhitespace: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
