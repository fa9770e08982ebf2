@testable import Campaign
import Foundation
import Testing

@Suite struct JournalRecordTests {
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
}
