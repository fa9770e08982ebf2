import FaultlineSupport

/// What a `websocket` fault does to a message it acts on.
public enum WebSocketMessageFault: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The message never arrives.
    case drop
    /// It arrives that much later (and the messages after it wait behind it: order is kept).
    case delay(Duration)
    /// It arrives twice.
    case duplicate
    /// It arrives after the next message (or after a second of silence, when none follows).
    case reorder
    /// It arrives broken: bytes that are not UTF-8 (a text frame the receiver must refuse), or JSON cut short.
    case corrupt(Corruption)
    /// It arrives, then the connection is closed with this code (a close frame to both sides).
    case close(code: UInt16)

    public enum Corruption: String, Sendable, Codable, CaseIterable {
        case invalidUTF8 = "invalid-utf8"
        case invalidJSON = "invalid-json"
    }

    public static let words = ["drop", "delay", "duplicate", "reorder", "corrupt", "close"]

    public var word: String {
        switch self {
        case .drop: return "drop"
        case .delay: return "delay"
        case .duplicate: return "duplicate"
        case .reorder: return "reorder"
        case .corrupt: return "corrupt"
        case .close: return "close"
        }
    }

    public var description: String {
        switch self {
        case .delay(let delay): return "delay \(DurationText.format(delay))"
        case .corrupt(let corruption): return "corrupt (\(corruption.rawValue))"
        case .close(let code): return "close \(code)"
        default: return word
        }
    }

    /// The payload `corrupt` sends instead: a byte sequence no UTF-8 decoder accepts in front, or
    /// the first half of the message (cut where a character begins).
    static func corrupted(_ payload: [UInt8], _ corruption: Corruption) -> [UInt8] {
        switch corruption {
        case .invalidUTF8: return [0xc3, 0x28] + payload
        case .invalidJSON:
            var cut = max(1, payload.count / 2)
            while cut < payload.count, payload[cut] & 0xc0 == 0x80 { cut += 1 }
            return Array(payload.prefix(min(cut, max(0, payload.count - 1))))
        }
    }
}
