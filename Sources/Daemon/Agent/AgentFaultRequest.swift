import Faults
import FaultlineSupport
import Foundation

/// `POST /v1/faults`: one fault a coordinator asks this agent for, on a container of this
/// agent's engine (or, for a drain, on a Swarm node its engine manages; for an isolate, on the
/// Swarm node its engine is: `target` is the node's id). Parameters are texts, read by the kind's one definition (the same acceptance
/// and messages as `inject` and campaign files):
///
///     {"kind": "cpu", "target": "api", "parameters": {"cpus": "0.2"}, "window": "30s", "deadline": "40s"}
///
/// `deadline` is counted from when the agent receives the request (never a wall-clock time, so
/// the hosts' clocks need not agree): by then the agent reverts on its own, whatever happened to
/// the coordinator or the network. It is required for a fault that has a window.
public struct AgentFaultRequest: Sendable, Equatable {
    public var kind: String
    public var target: String
    /// Campaign keys to their texts (a list for repeatable parameters).
    public var parameters: [String: [String]]
    public var window: String?
    public var deadline: String?

    /// The longest deadline an agent accepts: a fault held longer is a fault forgotten.
    public static let longestDeadline: Duration = .seconds(24 * 3600)
    public static let keys = ["kind", "target", "parameters", "window", "deadline"]

    public init(kind: String, target: String, parameters: [String: [String]] = [:], window: String? = nil, deadline: String? = nil) {
        self.kind = kind
        self.target = target
        self.parameters = parameters
        self.window = window
        self.deadline = deadline
    }

    /// The request read by the kind's definition, or one line saying what is wrong and what is allowed.
    public struct Checked: Sendable {
        public let parameters: any FaultParameters
        public let window: Duration?
        public let deadline: Duration?
        public var action: any FaultAction { parameters.action(hasWindow: window != nil) }
    }

    public func checked() throws(APIError) -> Checked {
        guard let kind = FaultKind(rawValue: kind) else {
            let hint = NameSuggestions.closest(to: self.kind, among: FaultKind.allCases.map(\.rawValue), limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw .badRequest("unknown fault kind '\(self.kind)'\(hint) (kinds: \(FaultKind.allCases.filter { $0.subject != .proxy }.map(\.rawValue).joined(separator: ", ")))")
        }
        guard kind.subject != .proxy else {
            throw .badRequest("\(kind.rawValue) acts on a proxy of the coordinator's: an agent takes container faults, drains and isolates of Swarm nodes")
        }
        let parameters: any FaultParameters
        do {
            parameters = try kind.definition.read(self.parameters.sorted { $0.key < $1.key }.map { (key: $0.key, texts: $0.value) })
        } catch {
            throw .badRequest("parameters: \(error)")
        }
        let window = try Self.duration(self.window, field: "window")
        let deadline = try Self.duration(self.deadline, field: "deadline")
        switch kind.definition.window {
        case .required where window == nil:
            throw .badRequest("\(kind.rawValue) needs 'window' (e.g. \"30s\"): it is reverted when the window ends")
        case .none where window != nil:
            throw .badRequest("\(kind.rawValue) is one-shot and takes no 'window'")
        default: break
        }
        if let window {
            guard let deadline else {
                throw .badRequest("a fault with a window needs 'deadline' (at least the window, e.g. \"\(DurationText.format(window + .seconds(10)))\"): the agent reverts by then on its own")
            }
            guard deadline >= window else {
                throw .badRequest("'deadline' (\(DurationText.format(deadline))) is shorter than the window (\(DurationText.format(window))): the fault would be reverted early")
            }
            guard deadline <= Self.longestDeadline else {
                throw .badRequest("'deadline' (\(DurationText.format(deadline))) is longer than an agent holds a fault (\(DurationText.format(Self.longestDeadline)))")
            }
        }
        return Checked(parameters: parameters, window: window, deadline: window == nil ? nil : deadline)
    }

    static func duration(_ text: String?, field: String) throws(APIError) -> Duration? {
        guard let text else { return nil }
        let parsed: Duration
        do { parsed = try DurationText.parse(text) } catch { throw .badRequest("'\(field)': \(error)") }
        guard parsed > .zero else { throw .badRequest("'\(field)' must be longer than 0") }
        return parsed
    }
}

extension AgentFaultRequest: Codable {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A parameter's value: a string, a number, or a list of them.
    struct Texts: Decodable {
        let texts: [String]
        init(from decoder: any Decoder) throws {
            if let list = try? [Scalar](from: decoder) { texts = list.map(\.text) } else { texts = [try Scalar(from: decoder).text] }
        }
    }

    struct Scalar: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let string = try? value.decode(String.self) { text = string; return }
            if let integer = try? value.decode(Int.self) { text = String(integer); return }
            text = String(try value.decode(Double.self))
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.map(\.stringValue).first(where: { !Self.keys.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [AnyKey(stringValue: unknown)],
                                                    debugDescription: "unknown key '\(unknown)' (allowed: \(Self.keys.joined(separator: ", ")))"))
        }
        kind = try container.decode(String.self, forKey: AnyKey(stringValue: "kind"))
        target = try container.decode(String.self, forKey: AnyKey(stringValue: "target"))
        parameters = try container.decodeIfPresent([String: Texts].self, forKey: AnyKey(stringValue: "parameters"))?.mapValues(\.texts) ?? [:]
        window = try container.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "window"))
        deadline = try container.decodeIfPresent(String.self, forKey: AnyKey(stringValue: "deadline"))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(kind, forKey: AnyKey(stringValue: "kind"))
        try container.encode(target, forKey: AnyKey(stringValue: "target"))
        if !parameters.isEmpty { try container.encode(parameters, forKey: AnyKey(stringValue: "parameters")) }
        try container.encodeIfPresent(window, forKey: AnyKey(stringValue: "window"))
        try container.encodeIfPresent(deadline, forKey: AnyKey(stringValue: "deadline"))
    }
}
