import FaultlineSupport

/// `http`: HTTP/1.1 calls a container makes (or receives) on a port are answered, delayed or
/// reset by a proxy of faultline's in its network namespace — no client is pointed anywhere.
public struct HTTPParameters: FaultParameters {
    public static let kind = FaultKind.http
    public static let purpose = "Answer HTTP/1.1 calls in the upstream's place (a status with headers and body), delay them, reset them, or change the upstream's responses (held back, another body, slowed down, cut short by a close or a reset): a marked redirect in the container's network namespace sends new connections on the port to a proxy of faultline's there, which forwards every request the fault does not match unchanged (HTTPS and other protocols pass through untouched unless tls-ca asks to terminate TLS with a campaign's CA, and so does a connection after a WebSocket upgrade; the upgrade request itself is matched like any other)."
    public static let revert = "the redirect rule deleted and the proxy stopped (connections opened through it close; it deletes the rule itself at its own deadline too)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("port", .port, required: true, help: "the TCP port of the calls (the server's port)", example: "8080"),
        FaultParameter("direction", .choice(TrafficDirection.allCases.map(\.rawValue)),
                       help: "outbound: calls the container makes; inbound: calls it receives (default outbound)", example: "inbound"),
        FaultParameter("method", .name, help: "only requests with this method", example: "POST"),
        FaultParameter("path", .name, help: "only requests whose path and query match this regular expression", example: "^/v1/"),
        FaultParameter("request-header", .name, help: "only requests with this header, its value matching a regular expression (Name: regex)", example: "Authorization: ^Bearer"),
        FaultParameter("probability", .number(0.001...1, unit: "share of requests"), help: "the share of matching requests acted on (default 1)", example: "0.5"),
        FaultParameter("first", .number(1...1_000_000, unit: "requests"), help: "only the first N matching requests; the rest pass", example: "3"),
        FaultParameter("status", .number(100...599, unit: "HTTP status"), help: "answer with this status instead of calling the upstream", example: "429"),
        FaultParameter("header", .name, repeatable: true, help: "a header of that answer (Name: value)", example: "Retry-After: 2"),
        FaultParameter("body", .name, help: "the body of that answer", example: "{\"error\":\"rate_limited\"}"),
        FaultParameter("delay", .duration(.milliseconds(1) ... .seconds(300)), help: "wait this long before answering, resetting or forwarding", example: "2s"),
        FaultParameter("reset", .flag, help: "reset the connection (TCP RST) instead of answering", example: "true"),
        FaultParameter("response-delay", .duration(.milliseconds(1) ... .seconds(300)), help: "hold the upstream's response this long before the client gets it", example: "3s"),
        FaultParameter("response-body", .name, help: "replace the upstream's response body (its status and headers kept, Content-Length set)", example: "{\"text\": \"The answer is"),
        FaultParameter("body-rate", .number(1...1_000_000_000, unit: "bytes per second"), help: "send the response body to the client this slowly", example: "200"),
        FaultParameter("truncate-after", .number(0...1_000_000_000, unit: "bytes"),
                       help: "the client gets this many bytes of the response body (as sent, chunk framing included), then the connection closes; a body no longer arrives whole", example: "12"),
        FaultParameter("reset-after", .number(0...1_000_000_000, unit: "bytes"), help: "the same, ending with a TCP RST instead of a close", example: "100"),
        FaultParameter("existing", .choice(ExistingConnections.allCases.map(\.rawValue)),
                       help: "connections open when the fault starts: leave them as they are, or reset them so clients reconnect through the fault (default leave)", example: "reset"),
    ] + InterceptTLS.parameters
    public static let example = "http llm --port 8080 --status 429 --header 'Retry-After: 2' --path '^/v1/' --for 10s"

    /// What happens to the container's connections on the port that are open when the fault starts.
    public enum ExistingConnections: String, Sendable, Codable, CaseIterable {
        /// They go on unfaulted (the redirect acts on new connections only).
        case leave
        /// They are reset (`ss -K`), so clients reconnect — through the fault.
        case reset
    }

    public var port: UInt16
    public var direction: TrafficDirection?
    public var match: HTTPRequestMatch
    public var answer: HTTPFaultAnswer
    public var existing: ExistingConnections?
    public var tls: InterceptTLS?

    public init(port: UInt16, direction: TrafficDirection? = nil, match: HTTPRequestMatch = HTTPRequestMatch(), answer: HTTPFaultAnswer,
                existing: ExistingConnections? = nil, tls: InterceptTLS? = nil) {
        self.port = port
        self.direction = direction
        self.match = match
        self.answer = answer
        self.existing = existing
        self.tls = tls
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        port = try InterceptedPort.read(input)
        direction = input.text("direction").flatMap(TrafficDirection.init(rawValue:))
        match = HTTPRequestMatch(method: try Self.method(input.text("method")), path: input.text("path"), header: input.text("request-header"),
                                 probability: input.number("probability"), first: try Self.whole(input.number("first"), "first"))
        try RegexParameter.check(match.path, key: "path")
        if let header = match.header {
            guard let line = HTTPRequestMatch.headerLine(header) else {
                throw ParameterError(key: "request-header", "\(parameter: "request-header") must be 'Name: regex', got '\(header)'")
            }
            try RegexParameter.check(line.value, key: "request-header", part: "value")
        }
        answer = HTTPFaultAnswer(status: try Self.whole(input.number("status"), "status"), headers: input.texts("header"), body: input.text("body"),
                                 delay: input.duration("delay"), reset: input.flag("reset"), response: try Self.responseChange(input))
        for (index, header) in (answer.headers ?? []).enumerated() where HTTPRequestMatch.headerLine(header) == nil {
            throw ParameterError(key: "header", index: index, "\(parameter: "header") must be 'Name: value' on one line, got '\(header)'")
        }
        existing = input.text("existing").flatMap(ExistingConnections.init(rawValue:))
        tls = try InterceptTLS.read(input)
        let resets = answer.reset == true
        if resets, answer.status != nil {
            throw ParameterError(key: "reset", "\(parameter: "reset") and \(parameter: "status") exclude each other: a reset connection gets no answer")
        }
        if answer.status == nil, answer.headers != nil || answer.body != nil {
            throw ParameterError(key: answer.headers != nil ? "header" : "body", "\(parameter: answer.headers != nil ? "header" : "body") belongs to an answer: give \(parameter: "status") too")
        }
        if answer.response != nil, resets || answer.status != nil, let key = Self.responseKeys.first(where: input.given) {
            throw ParameterError(key: key, "\(parameter: key) changes the upstream's response, and with \(parameter: resets ? "reset" : "status") no request reaches the upstream")
        }
        if answer.status == nil, !resets, answer.delay == nil, answer.response == nil {
            throw ParameterError(key: nil, """
                http needs \(parameter: "status"), \(parameter: "reset"), \(parameter: "delay") or a change of the response \
                (\(parameter: "response-delay"), \(parameter: "response-body"), \(parameter: "body-rate"), \(parameter: "truncate-after"), \(parameter: "reset-after")): \
                what happens to a matching request
                """)
        }
    }

    static let responseKeys = ["response-delay", "response-body", "body-rate", "truncate-after", "reset-after"]

    /// What the fault does to the upstream's response; nil when none of its parameters is given.
    static func responseChange(_ input: ParameterInput) throws(ParameterError) -> HTTPResponseChange? {
        let truncate = try whole(input.number("truncate-after"), "truncate-after"), resetAfter = try whole(input.number("reset-after"), "reset-after")
        if truncate != nil, resetAfter != nil {
            throw ParameterError(key: "reset-after", "\(parameter: "truncate-after") and \(parameter: "reset-after") exclude each other: the body is cut once, by a close or by a reset")
        }
        let change = HTTPResponseChange(delay: input.duration("response-delay"), body: input.text("response-body"), bytesPerSecond: try whole(input.number("body-rate"), "body-rate"),
                                        cutAfter: truncate ?? resetAfter, cut: truncate != nil ? .close : resetAfter != nil ? .reset : nil)
        return change == HTTPResponseChange() ? nil : change
    }

    static func whole(_ value: Double?, _ key: String) throws(ParameterError) -> Int? {
        guard let value else { return nil }
        guard value == value.rounded() else { throw ParameterError(key: key, "\(parameter: key) must be a whole number, got \(ParameterType.format(value))") }
        return Int(value)
    }

    static func method(_ text: String?) throws(ParameterError) -> String? {
        guard let text else { return nil }
        guard text.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }) else {
            throw ParameterError(key: "method", "\(parameter: "method") must be a method name such as GET or POST, got '\(text)'")
        }
        return text.uppercased()
    }

    public var texts: [(key: String, texts: [String])] {
        [("port", [String(port)])] + ParameterTexts.optional("direction", direction?.rawValue)
            + ParameterTexts.optional("method", match.method) + ParameterTexts.optional("path", match.path)
            + ParameterTexts.optional("request-header", match.header) + ParameterTexts.optional("probability", match.probability.map(ParameterTexts.number))
            + ParameterTexts.optional("first", match.first.map(String.init)) + ParameterTexts.optional("status", answer.status.map(String.init))
            + ParameterTexts.list("header", answer.headers) + ParameterTexts.optional("body", answer.body)
            + ParameterTexts.optional("delay", answer.delay.map(ParameterTexts.duration)) + ParameterTexts.optional("reset", answer.reset.map { String($0) })
            + ParameterTexts.optional("response-delay", answer.response?.delay.map(ParameterTexts.duration)) + ParameterTexts.optional("response-body", answer.response?.body)
            + ParameterTexts.optional("body-rate", answer.response?.bytesPerSecond.map(String.init))
            + ParameterTexts.optional(answer.response?.cut == .reset ? "reset-after" : "truncate-after", answer.response?.cutAfter.map(String.init))
            + ParameterTexts.optional("existing", existing?.rawValue) + (tls?.texts ?? [])
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        InterceptFault(kind: .http, port: port, direction: direction ?? .outbound, existing: existing ?? .leave, tls: tls, texts: texts, summary: summary)
    }

    /// `http :8080 POST ^/v1/ status 429`.
    public var summary: String {
        var words = ["http", (direction == .inbound ? "inbound " : "") + ":\(port)" + (tls != nil ? " tls" : "")]
        if let method = match.method { words.append(method) }
        if let path = match.path { words.append(path) }
        if let first = match.first { words.append("first \(first)") }
        if let probability = match.probability { words.append("p=\(ParameterType.format(probability))") }
        words.append(answer.summary)
        return words.joined(separator: " ")
    }
}
