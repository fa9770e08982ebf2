import Foundation

/// Which WebSocket messages a `websocket` fault acts on: whole text messages one side sends,
/// optionally only those whose JSON has a field with a value, a share of them, the first N.
public struct WebSocketMessageMatch: Sendable, Codable, Equatable {
    /// Whose messages: the server's (to the client) or the client's (to the server).
    public enum Sender: String, Sendable, Codable, CaseIterable {
        case server, client
    }

    public var from: Sender
    /// `type=tool_executing`: a dotted path into the message's JSON object and the value it must have (as text).
    public var field: String?
    public var probability: Double?
    public var first: Int?

    public init(from: Sender = .server, field: String? = nil, probability: Double? = nil, first: Int? = nil) {
        self.from = from
        self.field = field
        self.probability = probability
        self.first = first
    }

    /// `type=tool_executing` → (["type"], "tool_executing"); nil without a `=` or with an empty path.
    public static func fieldCondition(_ text: String) -> (path: [String], value: String)? {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let path = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else { return nil }
        return (path, String(text[text.index(after: equals)...]))
    }

    /// Whether a message's payload satisfies the field condition (always, without one).
    func fits(_ payload: [UInt8]) -> Bool {
        guard let field, let condition = Self.fieldCondition(field) else { return true }
        guard var value = try? JSONDecoder().decode(JSONValue.self, from: Data(payload)) else { return false }
        for key in condition.path {
            guard case .object(let object) = value, let next = object[key] else { return false }
            value = next
        }
        switch value {
        case .string(let text): return text == condition.value
        case .number(let number): return Double(condition.value) == number
        case .bool(let flag): return (flag ? "true" : "false") == condition.value
        case .null: return condition.value == "null"
        case .object, .array: return false
        }
    }

    /// A JSON value, as much as a field condition needs.
    indirect enum JSONValue: Decodable {
        case string(String), number(Double), bool(Bool), null, object([String: JSONValue]), array([JSONValue])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
            else if let number = try? container.decode(Double.self) { self = .number(number) }
            else if let text = try? container.decode(String.self) { self = .string(text) }
            else if let array = try? container.decode([JSONValue].self) { self = .array(array) }
            else { self = .object(try container.decode([String: JSONValue].self)) }
        }
    }
}
