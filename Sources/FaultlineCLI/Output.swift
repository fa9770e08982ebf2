import FaultlineSupport
import Foundation

/// Writes what faultline reports: timestamped human lines, or one JSON object per line.
public struct Output: Sendable {
    let json: Bool

    public init(json: Bool) { self.json = json }

    /// `2026-11-22T00:40:01.200Z  injected   pause on redis …`
    func event(_ verb: String, _ text: String, fields: [String: JSONValue] = [:], at date: Date = Date()) {
        if json {
            var object = fields
            object["event"] = .string(verb)
            object["at"] = .string(Timestamp.iso8601(date))
            line(JSONValue.object(object).encoded())
        } else {
            line("\(Timestamp.iso8601(date))  \(verb.padding(toLength: 10, withPad: " ", startingAt: 0)) \(text.replacingControlCharacters())")
        }
    }

    public func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    public static func error(_ text: String) {
        FileHandle.standardError.write(Data(("faultline: error: " + text.replacingControlCharacters(keepNewlines: true) + "\n").utf8))
    }

    public static func note(_ text: String) {
        FileHandle.standardError.write(Data(("faultline: " + text.replacingControlCharacters(keepNewlines: true) + "\n").utf8))
    }
}

/// A small JSON value for the CLI's `--json` output (sorted keys, stable).
enum JSONValue: Sendable, Equatable {
    case string(String), number(Double), integer(Int64), bool(Bool), null
    case array([JSONValue]), object([String: JSONValue])

    func encoded() -> String {
        switch self {
        case .string(let text): return Self.quote(text)
        case .number(let value): return value.isFinite ? String(value) : "null"
        case .integer(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let values): return "[" + values.map { $0.encoded() }.joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { Self.quote($0) + ":" + fields[$0]!.encoded() }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
