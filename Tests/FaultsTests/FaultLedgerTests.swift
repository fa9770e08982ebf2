import Foundation
@testable import Faults
import TestSupport
import Testing

@Suite struct FaultLedgerTests {
    func intent(_ id: String, owner: ProcessOwner? = nil) -> LedgerRecord {
        LedgerRecord(event: .intent, faultID: id, at: "t", kind: .pause, summary: "pause",
                     target: .init(id: "c-\(id)", name: "n-\(id)"), revert: .unpause(UnpauseStep(containerID: "c-\(id)")),
                     owner: owner)
    }

    // Records round-trip through the file; entries fold intent → injected → reverted.
    @Test func foldsEntries() throws {
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(intent("a"))
        try ledger.appendBlocking(intent("b"))
        try ledger.appendBlocking(LedgerRecord(event: .injected, faultID: "a", at: "t"))
        try ledger.appendBlocking(LedgerRecord(event: .injected, faultID: "b", at: "t"))
        try ledger.appendBlocking(LedgerRecord(event: .reverted, faultID: "a", at: "t", outcome: .restored))
        let entries = try ledger.entries()
        #expect(entries.map(\.faultID) == ["a", "b"])
        #expect(entries.map(\.status) == [.reverted, .injected])
        #expect(try ledger.openEntries().map(\.faultID) == ["b"])
        #expect(try ledger.records().first == intent("a"))
    }

    // Only what must survive a power cut before the engine is called waits for fsync (the intent, a
    // failed revert); injected and reverted records are in the file for every reader when append returns.
    @Test func syncsOnlyTheIntentOnTheFaultPath() throws {
        #expect(FaultLedger.syncsBeforeReturning(intent("a")))
        #expect(FaultLedger.syncsBeforeReturning(LedgerRecord(event: .revertFailed, faultID: "a", at: "t", error: "x")))
        #expect(!FaultLedger.syncsBeforeReturning(LedgerRecord(event: .injected, faultID: "a", at: "t")))
        #expect(!FaultLedger.syncsBeforeReturning(LedgerRecord(event: .reverted, faultID: "a", at: "t", outcome: .restored)))
        let directory = temporaryStateDirectory()
        let writer = try FaultLedger(stateDirectory: directory)
        try writer.appendBlocking(intent("a"))
        try writer.appendBlocking(LedgerRecord(event: .injected, faultID: "a", at: "t"))
        #expect(try FaultLedger(stateDirectory: directory).entries().map(\.status) == [.injected])
        try writer.appendBlocking(LedgerRecord(event: .reverted, faultID: "a", at: "t", outcome: .restored))
        #expect(try FaultLedger(stateDirectory: directory).openEntries().isEmpty)
    }

    // A torn last line (crash mid-write) is ignored; the records before it stay readable.
    @Test func toleratesTornLine() throws {
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(intent("a"))
        let handle = try #require(FileHandle(forWritingAtPath: ledger.path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"event":"reverted","faultID":"a","at""#.utf8))
        handle.closeFile()
        #expect(try ledger.openEntries().map(\.faultID) == ["a"])
    }

    // A state directory that cannot be written refuses the append with a located, readable error.
    @Test func refusesUnwritableDirectory() throws {
        let directory = temporaryStateDirectory()
        let ledger = try FaultLedger(stateDirectory: directory)
        try FileManager.default.createDirectory(atPath: ledger.path, withIntermediateDirectories: true)  // a directory where the file should be
        do {
            try ledger.appendBlocking(intent("a"))
            Issue.record("append succeeded")
        } catch {
            #expect(error.description.contains(ledger.path))
            #expect(error.description.contains("refuses to inject without a ledger"))
        }
    }

    // Every revert plan survives the JSON the ledger stores.
    @Test(arguments: [
        RevertPlan.nothing,
        .unpause(UnpauseStep(containerID: "x")),
        .startAgain(StartAgainStep(containerID: "x")),
        .cgroup(CgroupRestoreStep(containerID: "x", startedAt: "s", writes: [.init(path: "/a", value: "-1")])),
        .reconnect(ReconnectStep(containerID: "x", attachments: [.init(networkID: "n", networkName: "net", endpoint: .init(aliases: ["a"]))])),
    ])
    func roundTripsPlans(plan: RevertPlan) throws {
        let data = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(RevertPlan.self, from: data) == plan)
    }

    // A large ledger whose entries are all closed is truncated; one with an open entry is kept.
    @Test func compactsOnlyWhenIdle() throws {
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory(), compactAbove: 10)
        try ledger.appendBlocking(intent("a"))
        ledger.compactIfIdle()
        #expect(try ledger.records().count == 1)
        try ledger.appendBlocking(LedgerRecord(event: .reverted, faultID: "a", at: "t", outcome: .restored))
        ledger.compactIfIdle()
        #expect(try ledger.records().isEmpty)
    }
}
