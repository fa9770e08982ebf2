import Foundation

/// A parsed JSON document, precise about booleans vs numbers.
public indirect enum JSONNode: Decodable, Sendable, Equatable {
    case string(String), number(Double), bool(Bool), null
    case array([JSONNode]), object([String: JSONNode])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONNode].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONNode].self)) }
    }

    public static func parse(_ data: Data) -> JSONNode? { try? JSONDecoder().decode(JSONNode.self, from: data) }

    /// The node at a dotted path (`data.items.0.id`), or nil.
    public func at(_ path: String) -> JSONNode? {
        var current = self
        for component in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            switch current {
            case .object(let fields):
                guard let next = fields[component] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(component), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Scalars as plain text (`ok`, `3`, `2.5`, `true`, `null`); containers as compact JSON.
    public var text: String {
        switch self {
        case .string(let value): return value
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.quotedText).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { "\"\($0)\":" + fields[$0]!.quotedText }.joined(separator: ",") + "}"
        }
    }

    private var quotedText: String {
        if case .string(let value) = self { return "\"\(value)\"" }
        return text
    }

    /// The string value, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

/// Dotted paths into JSON texts.
public enum JSONPath {
    /// The value at `path` in a JSON text, as text, or nil when the text is not JSON or the path is absent.
    public static func value(at path: String, inJSON data: Data) -> String? {
        JSONNode.parse(data)?.at(path)?.text
    }
}
