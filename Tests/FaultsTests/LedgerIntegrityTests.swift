import DockerEngine
import Foundation
@testable import Faults
@testable import FaultlineSupport
import Logging
import TestSupport
import Testing

/// The ledger as an unlucky operator or a hostile local user meets it: torn lines, a full disk,
/// planted symlinks, a directory others can write, and entries of another engine.
@Suite(.serialized) struct LedgerIntegrityTests {
    func intent(_ id: String, engine: String? = nil) -> LedgerRecord {
        LedgerRecord(event: .intent, faultID: id, at: "t", kind: .pause, summary: "pause",
                     target: .init(id: id, name: "n-\(id)"), revert: .unpause(UnpauseStep(containerID: id)),
                     owner: ProcessOwner(pid: 999_999, startTicks: 1, bootID: "gone", command: "faultline"), engine: engine)
    }

    func appendRaw(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    // A torn last line (no newline) must not swallow the record appended after it; recovery reverts
    // that fault and reports the torn line.
    @Test func recordAfterTornLineIsKept() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "x", name: "x", paused: true))
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(intent("old"))
        try ledger.appendBlocking(LedgerRecord(event: .reverted, faultID: "old", at: "t", outcome: .restored))
        try appendRaw(#"{"at":"2026-12-02T00:00:00Z","faultID":"torn"#, to: ledger.path)
        try ledger.appendBlocking(intent("x"))
        #expect(try ledger.openEntries().map(\.faultID) == ["x"])
        let contents = try ledger.read()
        #expect(contents.unreadable.map(\.number) == [3])
        let report = try await LedgerRecovery(environment: fake.environment, ledger: ledger).recover()
        #expect(report.reverted.map(\.entry.faultID) == ["x"])
        #expect(report.unreadable.count == 1)
        #expect(try await fake.inspectContainer("x").state.paused == false)
    }

    // A bad line in the middle hides nothing after it.
    @Test func garbageInTheMiddleHidesNothing() throws {
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(intent("a"))
        try appendRaw("not json at all\n", to: ledger.path)
        try ledger.appendBlocking(intent("b"))
        #expect(try ledger.openEntries().map(\.faultID) == ["a", "b"])
        #expect(try ledger.read().unreadable.map(\.start) == ["not json at all"])
    }

    // A write that cannot complete (file size limit: a full disk in miniature) is rolled back, so
    // the file holds only whole records and the next append after room is freed is readable.
    @Test func shortWriteIsRolledBack() throws {
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(intent("a"))
        let sizeBefore = try #require(try FileManager.default.attributesOfItem(atPath: ledger.path)[.size] as? Int)
        var old = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &old)
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        var limited = rlimit(rlim_cur: rlim_t(sizeBefore + 20), rlim_max: old.rlim_max)
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limited)
        var refused = false
        do { try ledger.appendBlocking(intent("b")) } catch { refused = true }
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &old)
        signal(SIGXFSZ, oldHandler)
        #expect(refused)
        let sizeAfter = try #require(try FileManager.default.attributesOfItem(atPath: ledger.path)[.size] as? Int)
        #expect(sizeAfter == sizeBefore)
        try ledger.appendBlocking(intent("c"))
        #expect(try ledger.openEntries().map(\.faultID) == ["a", "c"])
        #expect(try ledger.read().unreadable.isEmpty)
    }

    // A ledger planted as a symlink is never written through, and compaction never truncates its target.
    @Test func refusesSymlinkedLedger() throws {
        let directory = temporaryStateDirectory()
        let victim = directory + "-victim"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        defer { try? FileManager.default.removeItem(atPath: victim) }
        let ledger = try FaultLedger(stateDirectory: directory, compactAbove: 1)
        try FileManager.default.createSymbolicLink(atPath: ledger.path, withDestinationPath: victim)
        #expect(throws: LedgerError.self) { try ledger.appendBlocking(intent("a")) }
        ledger.compactIfIdle()
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }

    // A state directory others can write, or owned by someone else, is refused; a new one is 0700.
    @Test func refusesUntrustedStateDirectory() throws {
        let open = temporaryStateDirectory()
        chmod(open, 0o777)
        #expect(throws: LedgerError.self) { _ = try FaultLedger(stateDirectory: open) }
        do {
            _ = try FaultLedger(stateDirectory: open)
        } catch {
            #expect("\(error)".contains("writable by"))
            #expect("\(error)".contains("chmod 700"))
        }
        let fresh = temporaryPath("faultline-test-") + "/state"
        _ = try FaultLedger(stateDirectory: fresh)
        var info = stat()
        #expect(stat(fresh, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        var foreign = info
        foreign.st_uid = info.st_uid + 1
        #expect(TrustedDirectory.problem(with: foreign, effectiveUser: info.st_uid)?.contains("owned by uid") == true)
    }

    // Every entry is reverted on the engine its intent names: an entry of another engine is not
    // "reverted" on this one (where its container would look gone), but on its own.
    @Test func revertsOnTheEngineTheFaultWasInjectedThrough() async throws {
        let here = FakeEngine(), there = FakeEngine()
        here.add(FakeEngine.details(id: "h", name: "h", paused: true))
        there.add(FakeEngine.details(id: "t", name: "t", paused: true))
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(intent("h", engine: "unix:///here.sock"))
        try ledger.appendBlocking(intent("t", engine: "unix:///there.sock"))
        let home = FaultEnvironment(containers: here, lifecycle: here, networks: here, cgroups: here,
                                    engineAddress: "unix:///here.sock", logger: Logger(label: "test"))
        let asked = LockedBox<[String]>([])
        let recovery = LedgerRecovery(environment: home, ledger: ledger) { address, logger in
            asked.mutate { $0.append(address) }
            return FaultEnvironment(containers: there, lifecycle: there, networks: there, cgroups: there,
                                    engineAddress: address, logger: logger)
        }
        let report = try await recovery.recover()
        #expect(report.failures.isEmpty)
        #expect(asked.value == ["unix:///there.sock"])
        #expect(try await here.inspectContainer("h").state.paused == false)
        #expect(try await there.inspectContainer("t").state.paused == false)
        #expect(!here.calls.contains { $0.contains(" t") })
    }

    // An engine that cannot be reached keeps its entries open (never closed as "gone").
    @Test func unreachableEngineKeepsTheEntryOpen() async throws {
        let here = FakeEngine()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        try ledger.appendBlocking(intent("t", engine: "unix:///there.sock"))
        let recovery = LedgerRecovery(environment: here.environment, ledger: ledger) { address, _ in
            throw DockerEngineError(kind: .transport, method: "GET", path: "/version", message: "no such socket \(address)")
        }
        let report = try await recovery.recover()
        #expect(report.failures.count == 1)
        #expect(report.failures.first.map { "\($0.result)".contains("unix:///there.sock") } == true)
        #expect(try ledger.openEntries().map(\.faultID) == ["t"])
        #expect(here.calls.isEmpty)
    }
}
