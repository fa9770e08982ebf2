import FaultlineSupport

/// `websocket`: messages on WebSocket connections a container makes (or receives) on a port are
/// dropped, delayed, duplicated, reordered, corrupted, or followed by a close — through the same
/// redirect and proxy of faultline's as the `http` fault.
public struct WebSocketParameters: FaultParameters {
    public static let kind = FaultKind.websocket
    public static let purpose = "Drop, delay, duplicate, reorder or corrupt WebSocket messages, or close the connection with a code right after one: a marked redirect in the container's network namespace sends new connections on the port to a proxy of faultline's there, which passes the upgrade on (without compression extensions, so messages can be read) and acts on whole text messages of one side matching a JSON field; everything else passes unchanged (wss:// too when tls-ca asks to terminate TLS with a campaign's CA; otherwise TLS passes through untouched)."
    public static let revert = "the redirect rule deleted and the proxy stopped (connections opened through it close; it deletes the rule itself at its own deadline too)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("port", .port, required: true, help: "the TCP port of the WebSocket connections (the server's port)", example: "8000"),
        FaultParameter("direction", .choice(TrafficDirection.allCases.map(\.rawValue)),
                       help: "outbound: connections the container opens; inbound: connections it accepts (default outbound)", example: "inbound"),
        FaultParameter("path", .name, help: "only connections whose upgrade request's path and query match this regular expression", example: "^/ws"),
        FaultParameter("from", .choice(WebSocketMessageMatch.Sender.allCases.map(\.rawValue)), help: "whose messages: the server's or the client's (default server)", example: "client"),
        FaultParameter("field", .name, help: "only messages whose JSON has this field with this value (dotted.path=value)", example: "type=tool_executing"),
        FaultParameter("probability", .number(0.001...1, unit: "share of messages"), help: "the share of matching messages acted on (default 1)", example: "0.5"),
        FaultParameter("first", .number(1...1_000_000, unit: "messages"), help: "only the first N matching messages; the rest pass", example: "1"),
        FaultParameter("action", .choice(WebSocketMessageFault.words), required: true, help: "what happens to a matching message", example: "close"),
        FaultParameter("delay", .duration(.milliseconds(1) ... .seconds(300)), help: "with action delay: how much later it arrives", example: "2s"),
        FaultParameter("corrupt", .choice(WebSocketMessageFault.Corruption.allCases.map(\.rawValue)), help: "with action corrupt: how (default invalid-json)", example: "invalid-utf8"),
        FaultParameter("close-code", .number(1000...4999, unit: "close code"), help: "with action close: the code both sides get (default 1011)", example: "1012"),
        FaultParameter("existing", .choice(HTTPParameters.ExistingConnections.allCases.map(\.rawValue)),
                       help: "connections open when the fault starts: leave them as they are, or reset them so clients reconnect through the fault (default leave)", example: "reset"),
    ] + InterceptTLS.parameters
    public static let example = "websocket api --port 8000 --direction inbound --field type=tool_executing --action close --for 30s"

    public var port: UInt16
    public var direction: TrafficDirection?
    public var path: String?
    public var match: WebSocketMessageMatch
    public var fault: WebSocketMessageFault
    public var existing: HTTPParameters.ExistingConnections?
    public var tls: InterceptTLS?

    public init(port: UInt16, direction: TrafficDirection? = nil, path: String? = nil, match: WebSocketMessageMatch = WebSocketMessageMatch(),
                fault: WebSocketMessageFault, existing: HTTPParameters.ExistingConnections? = nil, tls: InterceptTLS? = nil) {
        self.port = port
        self.direction = direction
        self.path = path
        self.match = match
        self.fault = fault
        self.existing = existing
        self.tls = tls
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        port = try InterceptedPort.read(input)
        direction = input.text("direction").flatMap(TrafficDirection.init(rawValue:))
        path = input.text("path")
        try RegexParameter.check(path, key: "path")
        if let field = input.text("field"), WebSocketMessageMatch.fieldCondition(field) == nil {
            throw ParameterError(key: "field", "\(parameter: "field") must be 'dotted.path=value', got '\(field)'")
        }
        match = WebSocketMessageMatch(from: input.text("from").flatMap(WebSocketMessageMatch.Sender.init(rawValue:)) ?? .server, field: input.text("field"),
                                      probability: input.number("probability"), first: try HTTPParameters.whole(input.number("first"), "first"))
        let action = input.text("action") ?? ""
        let delay = input.duration("delay"), corruption = input.text("corrupt"), code = try HTTPParameters.whole(input.number("close-code"), "close-code")
        for (key, given, belongs) in [("delay", delay != nil, "delay"), ("corrupt", corruption != nil, "corrupt"), ("close-code", code != nil, "close")]
        where given && action != belongs {
            throw ParameterError(key: key, "\(parameter: key) goes with action \(belongs), not \(action)")
        }
        switch action {
        case "drop": fault = .drop
        case "duplicate": fault = .duplicate
        case "reorder": fault = .reorder
        case "delay":
            guard let delay else { throw ParameterError(key: "delay", "action delay needs \(parameter: "delay") (how much later the message arrives)") }
            fault = .delay(delay)
        case "corrupt": fault = .corrupt(corruption.flatMap(WebSocketMessageFault.Corruption.init(rawValue:)) ?? .invalidJSON)
        default: fault = .close(code: UInt16(code ?? 1011))
        }
        existing = input.text("existing").flatMap(HTTPParameters.ExistingConnections.init(rawValue:))
        tls = try InterceptTLS.read(input)
    }

    public var texts: [(key: String, texts: [String])] {
        var texts: [(key: String, texts: [String])] = [("port", [String(port)])] + ParameterTexts.optional("direction", direction?.rawValue)
            + ParameterTexts.optional("path", path) + [("from", [match.from.rawValue])] + ParameterTexts.optional("field", match.field)
            + ParameterTexts.optional("probability", match.probability.map(ParameterTexts.number)) + ParameterTexts.optional("first", match.first.map(String.init))
            + [("action", [fault.word])]
        switch fault {
        case .delay(let delay): texts.append(("delay", [ParameterTexts.duration(delay)]))
        case .corrupt(let corruption): texts.append(("corrupt", [corruption.rawValue]))
        case .close(let code): texts.append(("close-code", [String(code)]))
        default: break
        }
        return texts + ParameterTexts.optional("existing", existing?.rawValue) + (tls?.texts ?? [])
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        InterceptFault(kind: .websocket, port: port, direction: direction ?? .outbound, existing: existing ?? .leave, tls: tls, texts: texts, summary: summary)
    }

    /// `websocket inbound :8000 server type=tool_executing close 1011`.
    public var summary: String {
        var words = ["websocket", (direction == .inbound ? "inbound " : "") + ":\(port)" + (tls != nil ? " tls" : "")]
        if let path { words.append(path) }
        words.append(match.from.rawValue)
        if let field = match.field { words.append(field) }
        if let first = match.first { words.append("first \(first)") }
        if let probability = match.probability { words.append("p=\(ParameterType.format(probability))") }
        words.append(fault.description)
        return words.joined(separator: " ")
    }
}
