/// The README's table of fault kinds, written from the kinds' one definitions; a test keeps the
/// README's copy equal to it (`FAULTLINE_WRITE_DOCS=1` rewrites it).
public enum FaultKindTable {
    public static let begin = "<!-- fault kinds: generated from Sources/Faults/Kinds; do not edit by hand -->"
    public static let end = "<!-- end of fault kinds -->"

    public static var markdown: String {
        var lines = [
            "| kind | what it does | parameters (campaign key / `inject` option: range) | window | revert (exact) |",
            "|---|---|---|---|---|",
        ]
        for kind in FaultKind.allCases {
            let definition = kind.definition
            let parameters = definition.parameters.map { parameter in
                let names = parameter.key == parameter.option ? "`\(parameter.key)`" : "`\(parameter.key)` / `--\(parameter.option)`"
                let facts = [parameter.required ? "required" : nil, parameter.type.bounds.map { escaped($0) }, parameter.repeatable ? "list" : nil]
                    .compactMap { $0 }.joined(separator: ", ")
                return "\(names) \(escaped(parameter.help))" + (facts.isEmpty ? "" : " (\(facts))")
            }
            let window: String
            switch definition.window {
            case .required: window = "required"
            case .none: window = "none (one-shot)"
            case .optional: window = "optional"
            }
            lines.append("| `\(kind.rawValue)` | \(escaped(definition.purpose)) | \(parameters.isEmpty ? "—" : parameters.joined(separator: "<br>")) | \(window) | \(escaped(definition.revert)) |")
        }
        return lines.joined(separator: "\n")
    }

    static func escaped(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
