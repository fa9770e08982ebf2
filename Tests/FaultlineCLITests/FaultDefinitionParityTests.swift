import ArgumentParser
@testable import Campaign
@testable import FaultlineCLI
import Faults
import FaultlineSupport
import Foundation
import Testing

/// Every kind's parameters read the same through `faultline inject` and through a campaign
/// file: the same values at and past each bound, and invalid ones, are accepted or refused alike,
/// with the same message (parameters named `--option` on one side, `'key'` on the other).
@Suite struct FaultDefinitionParityTests {
    /// A refusal's message with parameters named as campaign keys and the leading parameter (which
    /// a campaign error's location names already) left out.
    static func normalized(_ message: String, key: String?, kind: FaultKind) -> String {
        var text = message
        // The kind's own options first, as inject reads them (http's --port is `port`, loss's `ports`).
        for kind in [kind] + FaultKind.allCases {
            for parameter in kind.definition.parameters {
                text = text.replacingOccurrences(of: "--\(parameter.option)(?![a-z-])", with: "'\(parameter.key)'", options: .regularExpression)
            }
        }
        if let key, text.hasPrefix("'\(key)'") {
            text = String(text.dropFirst(key.count + 2))
            if text.hasPrefix(": ") { text = String(text.dropFirst(2)) } else if text.hasPrefix(" ") { text = String(text.dropFirst()) }
        }
        return text
    }

    /// nil when `inject` accepts, else its message.
    static func injectRefusal(_ kind: FaultKind, _ options: [(option: String, value: String)]) -> String? {
        var arguments = [kind.rawValue, "x"]
        if kind.definition.window == .required { arguments += ["--for", "1s"] }
        for (option, value) in options { arguments += ["--\(option)", value] }
        do {
            _ = try InjectCommand.parse(arguments).validatedPlan()
            return nil
        } catch {
            let (code, message) = FaultlineMain.classify(error)
            #expect(code == 2, "\(arguments): invalid input exits 2")
            return message ?? InjectCommand.message(for: error)
        }
    }

    /// nil when the campaign parser accepts, else its error's message (without the location).
    static func campaignRefusal(_ kind: FaultKind, _ entries: [(key: String, values: [String])]) -> String? {
        let body = (["target: db"] + entries.map { key, values in
            let quoted = values.map { "\"\($0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }
            return "\(key): " + (values.count == 1 ? quoted[0] : "[\(quoted.joined(separator: ", "))]")
        }).joined(separator: ", ")
        let window = kind.definition.window == .required ? ", for: 1s" : ""
        let text = """
            name: parity
            targets:
              db: { name: db }
            timeline:
              - { at: 1s, fault: { \(kind.rawValue): { \(body) } }\(window) }
            """
        do {
            _ = try CampaignParser.parse(text, file: "parity.yaml")
            return nil
        } catch {
            return error.message
        }
    }

    /// Values at and past a type's bounds, and invalid ones.
    static func probes(for type: ParameterType) -> [String] {
        switch type {
        case .number(let range, _):
            return [ParameterType.format(range.lowerBound), ParameterType.format(range.upperBound), "\(range.lowerBound / 2)", "\(range.upperBound * 2)",
                    "0", "-1", "nan", "inf", "1e99", "abc", ""]
        case .duration(let range):
            return [DurationText.format(range.lowerBound), DurationText.format(range.upperBound), DurationText.format(range.upperBound + .seconds(1)),
                    "0s", "500us", "-1s", "3q", "1e9h", ""]
        case .seconds(let range):
            return ["\(range.lowerBound)", "\(range.upperBound)", "\(range.upperBound + 1)", "-1", "10s", "1m", "1500ms", "2h", "999999999999", "abc"]
        case .size(let minimum):
            return [ByteSize.format(minimum), "\(minimum)", "\(minimum - 1)", "1g", "64m", "-1m", "12x", "0", ""]
        case .rate: return ["8bit", "100gbit", "7bit", "101gbit", "1mbit", "1e99mbit", "fast", ""]
        case .signal: return ["SIGTERM", "term", "15", "31", "0", "32", "SIGKIL", ""]
        case .choice(let words): return words + ["sideways", words[0].uppercased(), ""]
        case .port: return ["1", "65535", "0", "65536", "53/udp", "53/sctp", "x", ""]
        case .name: return ["backend", "", " "]
        case .toxic: return ["latency=1s", "latncy=1s", "latency=1s,stream=sideways", ""]
        case .flag: return ["true", "false", "TRUE", "yes", "1", ""]
        }
    }

    /// The other required parameters of a kind, at their examples.
    static func requiredBesides(_ key: String, of kind: FaultKind) -> [FaultParameter] {
        kind.definition.parameters.filter { $0.required && $0.key != key }
    }

    @Test func valuesReadAlikeOnBothPaths() {
        var compared = 0
        for kind in FaultKind.allCases where kind.actsOnContainer {
            for parameter in kind.definition.parameters {
                let others = Self.requiredBesides(parameter.key, of: kind)
                for value in Self.probes(for: parameter.type) {
                    let cli = Self.injectRefusal(kind, others.map { ($0.option, $0.example) } + [(parameter.option, value)])
                    let campaign = Self.campaignRefusal(kind, others.map { ($0.key, [$0.example]) } + [(parameter.key, [value])])
                    #expect((cli == nil) == (campaign == nil), "\(kind.rawValue) \(parameter.key)=\(value): inject \(cli ?? "accepts"), campaign \(campaign ?? "accepts")")
                    if let cli, let campaign {
                        #expect(Self.normalized(cli, key: parameter.key, kind: kind) == Self.normalized(campaign, key: parameter.key, kind: kind),
                                "\(kind.rawValue) \(parameter.key)=\(value)")
                    }
                    compared += 1
                }
            }
        }
        #expect(compared > 100)
    }

    // Missing required parameters, a parameter of another kind, a single value given twice, and
    // rules across parameters: the same on both paths.
    @Test func structuralMistakesReadAlike() {
        var cases: [(FaultKind, [(FaultParameter, [String])])] = []
        for kind in FaultKind.allCases where kind.actsOnContainer {
            let definition = kind.definition
            // Each required parameter left out.
            for missing in definition.parameters where missing.required {
                cases.append((kind, Self.requiredBesides(missing.key, of: kind).map { ($0, [$0.example]) }))
            }
            let required = definition.parameters.filter(\.required).map { ($0, [$0.example]) }
            // A parameter only other kinds have.
            if let foreign = FaultKind.allCases.flatMap({ $0.definition.parameters }).first(where: { other in !definition.parameters.contains { $0.key == other.key } }) {
                cases.append((kind, required + [(foreign, [foreign.example])]))
            }
            // A single-valued parameter given twice.
            for single in definition.parameters where !single.repeatable {
                cases.append((kind, Self.requiredBesides(single.key, of: kind).map { ($0, [$0.example]) } + [(single, [single.example, single.example])]))
            }
        }
        let partition = FaultKind.partition.definition.parameters
        let peers = partition.first { $0.key == "peers" }!, networks = partition.first { $0.key == "networks" }!, direction = partition.first { $0.key == "direction" }!
        cases.append((.partition, [(peers, ["db"]), (networks, ["backend"])]))
        cases.append((.partition, [(direction, ["inbound"])]))
        cases.append((.partition, [(networks, ["a", "b"])]))
        for (kind, entries) in cases {
            let cli = Self.injectRefusal(kind, entries.flatMap { parameter, values in values.map { (parameter.option, $0) } })
            let campaign = Self.campaignRefusal(kind, entries.map { ($0.0.key, $0.1) })
            let label = "\(kind.rawValue) \(entries.map { "\($0.0.key)=\($0.1)" })"
            #expect((cli == nil) == (campaign == nil), "\(label): inject \(cli ?? "accepts"), campaign \(campaign ?? "accepts")")
            if let cli, let campaign {
                let key = entries.last?.0.key
                #expect(Self.normalized(cli, key: key, kind: kind) == Self.normalized(campaign, key: key, kind: kind), "\(label)")
            }
        }
    }
}
