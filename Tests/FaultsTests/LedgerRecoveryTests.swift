import DockerEngine
import Foundation
@testable import Faults
import TestSupport
import Testing

@Suite struct LedgerRecoveryTests {
    // An entry whose owner process is gone is reverted; one whose owner lives is left alone.
    @Test func revertsOnlyOrphans() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "dead", name: "orphaned", paused: true))
        fake.add(FakeEngine.details(id: "live", name: "owned", paused: true))
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let gone = ProcessOwner(pid: 999_999, startTicks: 1, bootID: ProcessOwner.currentBootID(), command: "faultline inject")
        let parent = getppid()
        let alive = ProcessOwner(pid: parent, startTicks: ProcessOwner.startTicks(of: parent) ?? 0,
                                 bootID: ProcessOwner.currentBootID(), command: "parent")
        for (id, owner) in [("dead", gone), ("live", alive)] {
            try ledger.appendBlocking(LedgerRecord(event: .intent, faultID: id, at: "t", kind: .pause, summary: "pause",
                                           target: .init(id: id, name: id), revert: .unpause(UnpauseStep(containerID: id)), owner: owner))
        }
        let recovery = LedgerRecovery(environment: fake.environment, ledger: ledger)
        let report = try await recovery.recover()
        #expect(report.reverted.map(\.entry.faultID) == ["dead"])
        #expect(report.skippedLive.map(\.faultID) == ["live"])
        #expect(try await fake.inspectContainer("dead").state.paused == false)
        #expect(try await fake.inspectContainer("live").state.paused == true)
        #expect(try ledger.openEntries().map(\.faultID) == ["live"])

        let forced = try await recovery.recover(includeLiveOwners: true)
        #expect(forced.reverted.map(\.entry.faultID) == ["live"])
        #expect(try ledger.openEntries().isEmpty)
    }

    // An owner from another boot, or a reused pid with another start time, is not alive.
    @Test func detectsStaleOwners() {
        let me = ProcessOwner.current()
        #expect(me.isAlive)
        #expect(!ProcessOwner(pid: me.pid, startTicks: me.startTicks + 1, bootID: me.bootID, command: "").isAlive)
        #expect(!ProcessOwner(pid: me.pid, startTicks: me.startTicks, bootID: "other-boot", command: "").isAlive)
    }

    // A revert that keeps failing is reported and leaves the entry open for the next recovery.
    @Test func reportsFailures() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c", name: "c", paused: true))
        fake.fail("unpause", with: CgroupError(message: "engine on fire"))
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(LedgerRecord(event: .intent, faultID: "f", at: "t", kind: .pause, target: .init(id: "c", name: "c"),
                                       revert: .unpause(UnpauseStep(containerID: "c")),
                                       owner: ProcessOwner(pid: 999_999, startTicks: 1, bootID: "x", command: "")))
        let report = try await LedgerRecovery(environment: fake.environment, ledger: ledger).recover()
        #expect(report.failures.count == 1)
        #expect(try ledger.openEntries().first?.lastError == "engine on fire")
    }

    // A fault that lived in a dead faultline process (a campaign proxy's toxics) went with it:
    // recovery reads its plan back from the ledger, touches no container and closes the entry.
    @Test func closesInProcessFaultsOfDeadProcesses() async throws {
        let fake = FakeEngine()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(LedgerRecord(event: .intent, faultID: "t", at: "t", kind: .toxic, summary: "toxic latency=2s",
                                               target: .init(id: "proxy:link", name: "proxy:link"),
                                               revert: .inProcess(InProcessStep(what: "toxic latency=2s", pid: 999_999)),
                                               owner: ProcessOwner(pid: 999_999, startTicks: 1, bootID: "x", command: "")))
        let report = try await LedgerRecovery(environment: fake.environment, ledger: ledger).recover()
        let item = try #require(report.reverted.first)
        #expect(try item.result.get() == .alreadyClear("toxic latency=2s lived in faultline process 999999, which has ended"))
        #expect(try ledger.openEntries().isEmpty)
        #expect(fake.calls.isEmpty)
    }

    // A faultline killed while its unpause call was under way leaves an open pause whose unpause
    // the engine (20.10) now answers with 500 "is not paused": that is the wanted state, so the
    // entry is closed instead of failing forever (and later undoing someone else's pause).
    @Test func closesAPauseTheEngineSaysIsOver() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c", name: "c", paused: true))
        fake.fail("unpause", with: DockerEngineError(kind: .status(500), method: "POST", path: "/containers/c/unpause",
                                                     message: "Container c is not paused"))
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(LedgerRecord(event: .intent, faultID: "p", at: "t", kind: .pause, target: .init(id: "c", name: "c"),
                                               revert: .unpause(UnpauseStep(containerID: "c")),
                                               owner: ProcessOwner(pid: 999_999, startTicks: 1, bootID: "x", command: "")))
        let report = try await LedgerRecovery(environment: fake.environment, ledger: ledger).recover()
        #expect(try report.reverted.first?.result.get() == .alreadyClear("not paused"))
        #expect(try ledger.openEntries().isEmpty)
    }
}
