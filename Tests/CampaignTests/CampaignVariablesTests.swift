@testable import Campaign
import Foundation
import Testing

/// The journal records which variables a campaign referred to and whether each was set, never a
/// value; a replay asks for the same ones.
@Suite struct CampaignVariablesTests {
    static let text = """
        name: vars
        targets:
          db: { name: "${DB_NAME:-db}" }
        probes:
          - { name: api, http: { url: "http://127.0.0.1:8080/?t=${API_TOKEN}" } }
        timeline:
          - { at: 1s, fault: { pause: { target: db } }, for: 1s }
        """

    @Test func recordsNamesNeverValues() throws {
        let expansion = VariableExpansion(variables: ["API_TOKEN": "s3cret-value", "CAMPAIGN_DIR": "/srv/faults"])
        let campaign = try CampaignParser.parse(Self.text, file: "vars.yaml", variables: expansion)
        #expect(campaign.variables == CampaignVariables(set: ["API_TOKEN"], unset: ["DB_NAME"], campaignDirectory: "/srv/faults"))
        let line = String(decoding: try Journal.encoder().encode(JournalRecord.variables(campaign.variables)), as: UTF8.self)
        #expect(!line.contains("s3cret-value") && line.contains("API_TOKEN"), "\(line)")
        let decoded = try JSONDecoder().decode(JournalRecord.self, from: Data(line.utf8))
        #expect(RunRecord(records: [decoded]).variables == campaign.variables)
    }

    @Test func replayNeedsWhatTheRunHad() throws {
        let recorded = CampaignVariables(set: ["API_TOKEN"], unset: ["DB_NAME"], campaignDirectory: "/srv/faults")
        #expect { _ = try recorded.replayExpansion(today: [:]) } throws: { "\($0)".contains("${API_TOKEN}") }
        let (expansion, notes) = try recorded.replayExpansion(today: ["API_TOKEN": "t", "DB_NAME": "other", "CAMPAIGN_DIR": "/elsewhere"])
        // The run used DB_NAME's default: so does the replay, and says so.
        #expect(expansion.variables["DB_NAME"] == nil && notes.count == 1 && notes[0].contains("DB_NAME"))
        #expect(expansion.variables["CAMPAIGN_DIR"] == "/srv/faults" && expansion.variables["API_TOKEN"] == "t")
        let campaign = try CampaignParser.parse(Self.text, file: "journal", variables: expansion)
        #expect(campaign.targets.first?.matchDescription.contains("other") == false)
    }
}
