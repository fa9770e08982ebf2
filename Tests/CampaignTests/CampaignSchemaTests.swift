@testable import Campaign
import Faults
import Foundation
import Testing

/// The published JSON Schema (schema/campaign.schema.json) stays in step with the parser; its
/// fault objects are the ones the kinds' definitions write, ranges, enums and units included.
/// `FAULTLINE_WRITE_DOCS=1` rewrites them (and the README's kind table) from the definitions.
@Suite struct CampaignSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let path = root.appendingPathComponent("schema/campaign.schema.json").path
    static var rewriting: Bool { ProcessInfo.processInfo.environment["FAULTLINE_WRITE_DOCS"] == "1" }

    static func schema() throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: path), "schema/campaign.schema.json is missing")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Canonical text of a JSON value, to compare two of them.
    static func canonical(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        let reparsed = try JSONSerialization.jsonObject(with: data)
        return String(decoding: try JSONSerialization.data(withJSONObject: reparsed, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]), as: UTF8.self)
    }

    // Same top-level keys, fault kinds, probe kinds and check rules as the parser accepts.
    @Test func matchesTheParser() throws {
        let schema = try Self.schema()
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(CampaignParser.topLevelKeys))
        let probe = try #require((properties["probes"] as? [String: Any])?["items"] as? [String: Any])
        let probeKeys = Set((probe["properties"] as? [String: Any] ?? [:]).keys)
        #expect(probeKeys == Set(ProbeParser.kinds + ProbeParser.settingKeys))
        let hypothesis = try #require((properties["hypothesis"] as? [String: Any])?["properties"] as? [String: Any])
        let check = try #require((hypothesis["checks"] as? [String: Any])?["items"] as? [String: Any])
        #expect(Set((check["properties"] as? [String: Any] ?? [:]).keys) == Set(HypothesisParser.rules + ["probe", "targets"]))
        let target = try #require((properties["targets"] as? [String: Any])?["additionalProperties"] as? [String: Any])
        #expect(Set((target["properties"] as? [String: Any] ?? [:]).keys) == Set(CampaignParser.targetKeys))
        // One branch per matcher, and one for a node alone.
        #expect((target["oneOf"] as? [Any])?.count == CampaignParser.targetMatchers.count + 1)
    }

    // The timeline's and chaos mode's fault objects are exactly what the definitions write.
    @Test func faultObjectsAreTheDefinitions() throws {
        var schema = try Self.schema()
        var properties = try #require(schema["properties"] as? [String: Any])
        var timeline = try #require(properties["timeline"] as? [String: Any])
        var entry = try #require(timeline["items"] as? [String: Any])
        var entryProperties = try #require(entry["properties"] as? [String: Any])
        var chaos = try #require(properties["chaos"] as? [String: Any])
        var chaosProperties = try #require(chaos["properties"] as? [String: Any])
        var faults = try #require(chaosProperties["faults"] as? [String: Any])
        var items = try #require(faults["items"] as? [String: Any])
        var choices = try #require(items["oneOf"] as? [Any])
        #expect(choices.count == 2)

        let timelineFault = FaultSchema.faultObject(inTimeline: true)
        let chaosFault = FaultSchema.faultObject(inTimeline: false)
        let bare: [String: Any] = ["enum": FaultSchema.bareKinds]
        if Self.rewriting {
            entryProperties["fault"] = timelineFault
            entry["properties"] = entryProperties
            timeline["items"] = entry
            properties["timeline"] = timeline
            choices = [bare, chaosFault]
            items["oneOf"] = choices
            faults["items"] = items
            chaosProperties["faults"] = faults
            chaos["properties"] = chaosProperties
            properties["chaos"] = chaos
            schema["properties"] = properties
            try (try Self.canonical(schema) + "\n").write(toFile: Self.path, atomically: true, encoding: .utf8)
            return
        }
        let hint = "schema/campaign.schema.json differs from the kinds' definitions: FAULTLINE_WRITE_DOCS=1 swift test --filter CampaignSchemaTests rewrites it"
        #expect(try Self.canonical(try #require(entryProperties["fault"])) == Self.canonical(timelineFault), "\(hint)")
        #expect(try Self.canonical(choices[1]) == Self.canonical(chaosFault), "\(hint)")
        #expect(try Self.canonical(choices[0]) == Self.canonical(bare), "\(hint)")
    }

    // The schema says what the parser does: a value at each bound is inside the schema's range and
    // accepted by the parser, one step past it is outside and refused (numbers and seconds).
    @Test func schemaRangesAreTheParsersRanges() throws {
        let fault = FaultSchema.faultObject(inTimeline: true)
        let kinds = try #require(fault["properties"] as? [String: Any])
        for kind in FaultKind.allCases {
            let object = try #require(kinds[kind.rawValue] as? [String: Any])
            let properties = try #require(object["properties"] as? [String: Any])
            for parameter in kind.definition.parameters {
                let property = try #require(properties[parameter.key] as? [String: Any], "\(kind).\(parameter.key)")
                guard case .number(let range, _) = parameter.type else { continue }
                #expect(property["minimum"] as? Double == range.lowerBound && property["maximum"] as? Double == range.upperBound)
                #expect((try? FaultParameter.read(parameter, "\(range.lowerBound)")) != nil)
                #expect((try? FaultParameter.read(parameter, "\(range.upperBound)")) != nil)
                #expect((try? FaultParameter.read(parameter, "\(range.lowerBound - range.lowerBound / 2 - 0.0001)")) == nil)
                #expect((try? FaultParameter.read(parameter, "\(range.upperBound * 1.01)")) == nil)
            }
        }
    }

    // The README's kind table is the definitions' table.
    @Test func readmeTableIsTheDefinitions() throws {
        let path = Self.root.appendingPathComponent("README.md").path
        let readme = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
        let begin = try #require(readme.range(of: FaultKindTable.begin), "README.md lacks the generated kind table")
        let end = try #require(readme.range(of: FaultKindTable.end))
        let current = String(readme[begin.upperBound..<end.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        if Self.rewriting {
            let updated = readme.replacingCharacters(in: begin.upperBound..<end.lowerBound, with: "\n" + FaultKindTable.markdown + "\n")
            try updated.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        #expect(current == FaultKindTable.markdown, "README's kind table differs from the definitions: FAULTLINE_WRITE_DOCS=1 swift test --filter CampaignSchemaTests rewrites it")
    }
}

extension FaultParameter {
    static func read(_ parameter: FaultParameter, _ text: String) throws -> ParameterValue { try parameter.read(text, index: nil) }
}
