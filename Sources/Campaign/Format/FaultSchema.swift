import FaultProxy
import Faults
import FaultlineSupport

/// The JSON Schema of a campaign's fault objects, written from the kinds' one definitions; a test
/// keeps `schema/campaign.schema.json` equal to it (`FAULTLINE_WRITE_DOCS=1` rewrites it).
public enum FaultSchema {
    static let durationPattern = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$"

    /// `{ KIND: {...} }` as the timeline takes it (a target required) or chaos mode (the target
    /// drawn; no groups, no toxics).
    public static func faultObject(inTimeline: Bool) -> [String: Any] {
        var kinds: [String: Any] = [:]
        for kind in FaultKind.allCases where inTimeline || kind.actsOnContainer {
            kinds[kind.rawValue] = kindObject(kind, inTimeline: inTimeline)
        }
        return ["type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": false, "properties": kinds]
    }

    /// The kinds chaos mode takes by name alone (no required parameter).
    public static var bareKinds: [String] {
        FaultKind.allCases.filter { $0.actsOnContainer && !$0.definition.parameters.contains(where: \.required) }.map(\.rawValue)
    }

    static func kindObject(_ kind: FaultKind, inTimeline: Bool) -> [String: Any] {
        let definition = kind.definition
        var properties: [String: Any] = [:]
        if kind.actsOnContainer { properties["target"] = ["type": "string", "description": "the name of a target selector"] }
        for parameter in definition.parameters { properties[parameter.key] = property(parameter) }
        var required = definition.parameters.filter(\.required).map(\.key)
        var object: [String: Any] = ["type": "object", "additionalProperties": false, "description": definition.purpose]
        if kind == .partition && inTimeline {
            properties["groups"] = ["type": "array", "minItems": 2, "items": ["type": "array", "minItems": 1, "items": ["type": "string"]],
                                    "description": "N-way partition: each group's targets lose every target of the other groups, both ways (instead of target)"]
            object["oneOf"] = [["required": ["target"]], ["required": ["groups"]]]
        } else if inTimeline && kind.actsOnContainer {
            required.insert("target", at: 0)
        }
        object["properties"] = properties
        if !required.isEmpty { object["required"] = required }
        return object
    }

    static func property(_ parameter: FaultParameter) -> [String: Any] {
        var item: [String: Any]
        switch parameter.type {
        case .number(let range, _): item = ["type": "number", "minimum": range.lowerBound, "maximum": range.upperBound]
        case .duration: item = ["type": "string", "pattern": durationPattern]
        case .seconds(let range):
            item = ["oneOf": [["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound],
                              ["type": "string", "pattern": "^([0-9]+(s|m|h))+$"]]]
        case .size: item = ["type": ["string", "integer"], "pattern": "^[0-9]+(\\.[0-9]+)?\\s*([bBkKmMgG]([iI]?[bB])?)?$"]
        case .rate: item = ["type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)$"]
        case .signal: item = ["type": ["string", "integer"]]
        case .choice(let words): item = ["enum": words]
        case .port: item = ["type": ["string", "integer"], "pattern": "^[0-9]{1,5}(/(tcp|udp))?$"]
        case .name: item = ["type": "string", "minLength": 1]
        case .toxic: item = ["type": "string", "pattern": "^(\(Toxic.typeNames.joined(separator: "|")))(=|,|$)"]
        case .flag: item = ["type": "boolean"]
        }
        let description = [parameter.help, parameter.type.bounds].compactMap { $0 }.joined(separator: "; ") + "; e.g. \(parameter.example)"
        if parameter.repeatable {
            return ["oneOf": [item, ["type": "array", "minItems": 1, "items": item]], "description": description]
        }
        item["description"] = description
        return item
    }
}
