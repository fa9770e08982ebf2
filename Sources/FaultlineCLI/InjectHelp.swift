import Faults
import Foundation

/// `faultline inject --help`'s list of kinds and their options, written from the kinds' one
/// definitions (so it lists every kind, with the same ranges the checks use).
enum InjectHelp {
    static var text: String {
        var lines = [
            "Every kind but restart and kill needs --for; restart is one-shot; kill is",
            "one-shot unless --for is given (then the container is started again if it is",
            "still down).",
            "",
            "Kinds and their options:",
        ]
        for kind in FaultKind.allCases where kind.actsOnContainer {
            let definition = kind.definition
            lines.append("  \(kind.rawValue)")
            lines.append("      \(definition.purpose)")
            for parameter in definition.parameters {
                let name = "--\(parameter.option) \(placeholder(parameter.type))"
                let facts = [parameter.required ? "required" : nil, parameter.type.bounds, "e.g. \(parameter.example)",
                             parameter.repeatable ? "repeatable" : nil].compactMap { $0 }.joined(separator: "; ")
                lines.append("      " + name.padding(toLength: max(name.count + 1, 20), withPad: " ", startingAt: 0) + facts)
                lines.append(String(repeating: " ", count: 26) + parameter.help)
            }
            lines.append("      e.g. faultline inject \(definition.example)")
        }
        lines.append("  toxic: campaigns only (it acts on a campaign proxy); `faultline proxy --toxic SPEC` on the command line.")
        lines.append("  drain: campaigns only (it acts on a Swarm node through a manager): { drain: { node: NODE } } with 'for'.")
        lines.append("  isolate: campaigns only (it cuts a Swarm node off from the others, on that node): { isolate: { node: NODE } } with 'for'.")
        return lines.joined(separator: "\n")
    }

    static func placeholder(_ type: ParameterType) -> String {
        switch type {
        case .number: return "N"
        case .duration, .seconds: return "DURATION"
        case .size: return "SIZE"
        case .rate: return "RATE"
        case .signal: return "SIGNAL"
        case .choice: return "WORD"
        case .port: return "PORT"
        case .name: return "NAME"
        case .toxic: return "SPEC"
        case .flag: return "true|false"
        }
    }
}
