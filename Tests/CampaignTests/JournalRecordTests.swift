@testable import Campaign
import Faults
import FaultlineSupport
import Foundation
import TestSupport
import Testing

@Suite struct JournalRecordTests {
    // A fault keeps the flat shape journals have always had (kind, target and the parameters side
    // by side), so `report` and `replay` read runs from before the kinds had one definition each.
    @Test func faultsKeepTheirJournalShape() throws {
        let old = #"{"kind":"memory","target":"db","memory":67108864}"#
        let memory = try JSONDecoder().decode(FaultSpec.self, from: Data(old.utf8))
        #expect(memory == FaultSpec(target: "db", parameters: MemoryParameters(bytes: 64 << 20)))
        let peers = #"{"direction":"both","kind":"partition","peers":["db"],"target":"api"}"#
        let partition = try JSONDecoder().decode(FaultSpec.self, from: Data(peers.utf8))
        #expect((partition.parameters as? PartitionParameters)?.peers == ["db"] && partition.summary == "partition from db")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try encoder.encode(partition), as: UTF8.self) == peers)
        let grouped = FaultSpec(target: "api", parameters: PartitionParameters(), groups: [["api"], ["db"]])
        #expect(try JSONDecoder().decode(FaultSpec.self, from: encoder.encode(grouped)) == grouped)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(FaultSpec.self, from: Data(#"{"kind":"cpu","target":"db"}"#.utf8)) }
    }

    // The settings the figures depend on are in the journal, so reports never parse the campaign
    // again (whose variables may not be set today); a journal from before they were recorded has none.
    @Test func settingsRoundTripAndFold() throws {
        let records: [JournalRecord] = [
            .campaign(name: "c", file: "c.yaml", source: "name: c\nprobes: ${NOT_SET_TODAY}", startedAt: Date()),
            .settings(consecutiveOK: 1),
        ]
        let encoded = try records.map { try Journal.encoder().encode($0) }
        let lines = encoded.map { String(decoding: $0, as: UTF8.self) }
        #expect(lines[1] == #"{"consecutiveOK":1,"type":"settings"}"#)
        #expect(RunRecord(records: records).consecutiveOK == 1)
        #expect(RunRecord(records: [records[0]]).consecutiveOK == nil)
    }

    // Records appended together arrive as whole lines in order, one write for all of them, and a
    // later record follows them on a line of its own.
    @Test func recordsAppendedTogetherAreLinesInOrder() async throws {
        let path = temporaryPath("faultline-journal-")
        let journal = try Journal(path: path)
        journal.append([.campaign(name: "c", file: "c.yaml", source: "name: c", startedAt: Date()), .settings(consecutiveOK: 2), .settings(consecutiveOK: 4)])
        journal.append(.settings(consecutiveOK: 3))
        await journal.flush()
        let records = try Journal.read(path)
        #expect(records.count == 4)
        #expect(RunRecord(records: Array(records.prefix(2))).consecutiveOK == 2 && RunRecord(records: records).consecutiveOK == 3)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 4 && text.hasSuffix("}\n"))
    }

    // Text from a run (container names, engine messages) cannot break a report or a terminal:
    // control characters become U+FFFD, XML stays well-formed, Markdown shows HTML as text.
    @Test func reportTextIsEscaped() {
        let hostile = "evil\u{1b}[2J\u{7}<script>alert(1)</script>|x"
        #expect(!hostile.xmlEscaped.contains("\u{1b}") && !hostile.xmlEscaped.contains("<script>"))
        #expect(hostile.xmlEscaped.contains("\u{FFFD}[2J"))
        let cell = hostile.markdownCell
        #expect(cell.contains("&lt;script&gt;") && cell.contains("\\|x") && !cell.contains("\u{7}"), "\(cell)")
        #expect("line\nbreak".replacingControlCharacters() == "line\u{FFFD}break")
        #expect("line\nbreak".replacingControlCharacters(keepNewlines: true) == "line\nbreak")
    }

    // A campaign saved with a UTF-8 byte-order mark reads as without one.
    @Test func acceptsAByteOrderMark() throws {
        let campaign = try CampaignParser.parse("\u{FEFF}" + CampaignParserTests.minimal, file: "bom.yaml")
        #expect(campaign.name == (try CampaignParser.parse(CampaignParserTests.minimal, file: "plain.yaml")).name)
    }
}
