import FaultlineSupport

/// One fault a proxy applies to the bytes it forwards, in one direction, to a share of connections
/// (Toxiproxy's toxics, built in).
public struct Toxic: Sendable, Equatable, Codable {
    /// Which bytes: client → upstream, or upstream → client.
    public enum Stream: String, Sendable, Codable, CaseIterable {
        case upstream, downstream
    }

    public enum Kind: Sendable, Equatable, Codable {
        /// Every chunk waits `delay` ± `jitter` (uniform), order kept.
        case latency(delay: Duration, jitter: Duration)
        /// At most this many bytes per second.
        case bandwidth(bytesPerSecond: Int)
        /// Nothing gets through; the connection is closed after `closeAfter` (never when nil).
        case timeout(closeAfter: Duration?)
        /// The connection is reset (TCP RST) `after` it starts or the toxic is added.
        case resetPeer(after: Duration)
        /// When the sender closes, the close is passed on only after `delay`.
        case slowClose(delay: Duration)
        /// Chunks are cut into slices of about `averageSize` (± `variation`) bytes, `delay` apart.
        case slicer(averageSize: Int, variation: Int, delay: Duration)
        /// The connection is closed once this many bytes went through.
        case limitData(bytes: Int)
    }

    public var name: String
    public var kind: Kind
    public var stream: Stream
    /// The share of connections the toxic applies to, 0…1.
    public var toxicity: Double

    public init(name: String, kind: Kind, stream: Stream = .downstream, toxicity: Double = 1) {
        self.name = name
        self.kind = kind
        self.stream = stream
        self.toxicity = toxicity
    }

    public var typeName: String {
        switch kind {
        case .latency: return "latency"
        case .bandwidth: return "bandwidth"
        case .timeout: return "timeout"
        case .resetPeer: return "reset_peer"
        case .slowClose: return "slow_close"
        case .slicer: return "slicer"
        case .limitData: return "limit_data"
        }
    }

    /// A bandwidth toxic's bytes per second.
    var bandwidthLimit: Int? {
        if case .bandwidth(let rate) = kind { return rate }
        return nil
    }

    public static let typeNames = ["latency", "bandwidth", "timeout", "reset_peer", "slow_close", "slicer", "limit_data"]

    /// `latency=200ms,jitter=50ms,stream=downstream,toxicity=0.5`, `bandwidth=64kbps`, `timeout=2s`,
    /// `timeout`, `reset_peer=500ms`, `slow_close=1s`, `slicer=64,variation=16,delay=1ms`, `limit_data=1024`.
    public static func parse(_ spec: String) throws(ToxicSpecError) -> Toxic {
        var parts = spec.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        guard let head = parts.first, let type = head.first, !type.isEmpty else { throw ToxicSpecError("empty toxic") }
        guard typeNames.contains(type) else {
            let hint = NameSuggestions.closest(to: type, among: typeNames, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw ToxicSpecError("unknown toxic '\(type)'\(hint) (toxics: \(typeNames.joined(separator: ", ")))")
        }
        let value = head.count > 1 ? head[1] : nil
        parts.removeFirst()
        var options: [String: String] = [:]
        for part in parts {
            guard part.count == 2 else { throw ToxicSpecError("'\(part.joined())' is not name=value") }
            options[part[0]] = part[1]
        }
        func duration(_ text: String?, _ what: String) throws(ToxicSpecError) -> Duration {
            guard let text else { throw ToxicSpecError("\(type) needs \(what)") }
            do { return try DurationText.parse(text) } catch { throw ToxicSpecError("\(what): invalid duration '\(text)'") }
        }
        func integer(_ text: String?, _ what: String) throws(ToxicSpecError) -> Int {
            guard let text, let number = Int(text), number >= 0 else { throw ToxicSpecError("\(type) needs \(what) (a whole number)") }
            return number
        }
        let kind: Kind
        var allowed = ["stream", "toxicity"]
        switch type {
        case "latency":
            kind = .latency(delay: try duration(value, "a delay (latency=200ms)"), jitter: try options["jitter"].map { text throws(ToxicSpecError) in try duration(text, "jitter") } ?? .zero)
            allowed.append("jitter")
        case "bandwidth":
            guard let value else { throw ToxicSpecError("bandwidth needs a rate (bandwidth=64kbps, =1mbit)") }
            let rate = try Self.bytesPerSecond(value)
            kind = .bandwidth(bytesPerSecond: rate)
        case "timeout": kind = .timeout(closeAfter: try value.map { text throws(ToxicSpecError) in try duration(text, "a time") })
        case "reset_peer": kind = .resetPeer(after: try value.map { text throws(ToxicSpecError) in try duration(text, "a time") } ?? .zero)
        case "slow_close": kind = .slowClose(delay: try duration(value, "a delay (slow_close=1s)"))
        case "slicer":
            kind = .slicer(averageSize: max(1, try integer(value, "an average size (slicer=64)")),
                           variation: try options["variation"].map { text throws(ToxicSpecError) in try integer(text, "variation") } ?? 0,
                           delay: try options["delay"].map { text throws(ToxicSpecError) in try duration(text, "delay") } ?? .zero)
            allowed += ["variation", "delay"]
        default: kind = .limitData(bytes: try integer(value, "a byte count (limit_data=1024)"))
        }
        for key in options.keys where !allowed.contains(key) {
            throw ToxicSpecError("\(type) takes no '\(key)' (options: \(allowed.joined(separator: ", ")))")
        }
        var toxic = Toxic(name: type, kind: kind)
        if let stream = options["stream"] {
            guard let parsed = Stream(rawValue: stream) else { throw ToxicSpecError("stream must be upstream or downstream, not '\(stream)'") }
            toxic.stream = parsed
        }
        if let toxicity = options["toxicity"] {
            guard let share = Double(toxicity), (0...1).contains(share) else { throw ToxicSpecError("toxicity must be between 0 and 1, not '\(toxicity)'") }
            toxic.toxicity = share
        }
        return toxic
    }

    /// `64kbps` (bytes), `1mbit` (bits), `1024` (bytes per second), within `RateText.range`.
    static func bytesPerSecond(_ text: String) throws(ToxicSpecError) -> Int {
        if let plain = Int(text) {
            guard RateText.range.contains(Double(plain)) else { throw ToxicSpecError("bandwidth=\(text): bytes per second must be 1 … 12500000000") }
            return plain
        }
        do { return max(1, Int(try RateText.parse(text))) } catch { throw ToxicSpecError("bandwidth needs a rate (bandwidth=64kbps, =1mbit): \(error)") }
    }
}

/// A toxic specification that cannot be read.
public struct ToxicSpecError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
