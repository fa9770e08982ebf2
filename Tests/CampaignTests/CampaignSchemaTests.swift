@testable import Campaign
import Faults
import Foundation
import Testing

/// The published JSON Schema (schema/campaign.schema.json) stays in step with the parser.
@Suite struct CampaignSchemaTests {
    static func schema() throws -> [String: Any] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schema/campaign.schema.json").path
        let data = try #require(FileManager.default.contents(atPath: path), "schema/campaign.schema.json is missing")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    // Same top-level keys, fault kinds, probe kinds and check rules as the parser accepts.
    @Test func matchesTheParser() throws {
        let schema = try Self.schema()
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Set(properties.keys) == Set(CampaignParser.topLevelKeys))
        let timeline = try #require((properties["timeline"] as? [String: Any])?["items"] as? [String: Any])
        let fault = try #require((timeline["properties"] as? [String: Any])?["fault"] as? [String: Any])
        #expect(Set((fault["properties"] as? [String: Any] ?? [:]).keys) == Set(FaultKind.allCases.map(\.rawValue)))
        let probe = try #require((properties["probes"] as? [String: Any])?["items"] as? [String: Any])
        let probeKeys = Set((probe["properties"] as? [String: Any] ?? [:]).keys)
        #expect(probeKeys == Set(ProbeParser.kinds + ["name", "every", "timeout"]))
        let hypothesis = try #require((properties["hypothesis"] as? [String: Any])?["properties"] as? [String: Any])
        let check = try #require((hypothesis["checks"] as? [String: Any])?["items"] as? [String: Any])
        #expect(Set((check["properties"] as? [String: Any] ?? [:]).keys) == Set(HypothesisParser.rules + ["probe", "targets"]))
        for (kind, parameters) in FaultParser.parameters {
            let definition = try #require((fault["properties"] as? [String: Any])?[kind.rawValue] as? [String: Any])
            #expect(Set((definition["properties"] as? [String: Any] ?? [:]).keys) == Set(parameters + (kind.actsOnContainer ? ["target"] : [])), "\(kind)")
        }
    }
}
