import FaultlineSupport

/// `dns`: the container's name resolution fails for names matching a pattern, for the window —
/// NXDOMAIN, SERVFAIL, no answer, or the real answer late — while every other name resolves as before.
public struct DNSParameters: FaultParameters {
    public static let kind = FaultKind.dns
    public static let purpose = "Break the container's name resolution for names matching a pattern: NXDOMAIN, SERVFAIL, no answer, or the real answer late (a resolver of faultline's in its network namespace; UDP queries, what resolvers send first; other names resolve as before)."
    public static let revert = "the redirect rule deleted and the resolver stopped (it deletes the rule itself at its own deadline too)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("names", .name, required: true,
                       help: "a regular expression searched for in each queried name (lowercase, no final dot; anchor with ^ $)", example: "^llm$"),
        FaultParameter("answer", .choice(DNSAnswer.words), help: "what a matching query gets (default nxdomain; delay when delay is given)", example: "servfail"),
        FaultParameter("delay", .duration(.milliseconds(10) ... .seconds(30)), help: "with answer delay: how late the real answer comes", example: "2s"),
    ]
    public static let example = "dns api --names '^llm$' --answer servfail --for 30s"

    public var names: String
    public var answer: DNSAnswer

    public init(names: String, answer: DNSAnswer = .nxdomain) {
        self.names = names
        self.answer = answer
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        names = input.text("names") ?? ""
        try RegexParameter.check(names, key: "names")
        let delay = input.duration("delay")
        switch input.text("answer") ?? (delay == nil ? "nxdomain" : "delay") {
        case "servfail": answer = .servfail
        case "timeout": answer = .timeout
        case "delay":
            guard let delay else { throw ParameterError(key: "delay", "answer delay needs \(parameter: "delay") (how late the real answer comes)") }
            answer = .delay(delay)
            return
        default: answer = .nxdomain
        }
        if delay != nil { throw ParameterError(key: "delay", "\(parameter: "delay") goes with answer delay, not \(answer)") }
    }

    public var texts: [(key: String, texts: [String])] {
        switch answer {
        case .delay(let delay): return [("names", [names]), ("answer", ["delay"]), ("delay", [DurationText.format(delay)])]
        default: return [("names", [names]), ("answer", [answer.description])]
        }
    }

    public func action(hasWindow: Bool) -> any FaultAction { DNSFault(names: names, answer: answer) }

    public var summary: String { "dns \(names) \(answer)" }
}
