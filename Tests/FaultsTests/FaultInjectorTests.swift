import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

@Suite struct FaultInjectorTests {
    func setUp() throws -> (FakeEngine, FaultLedger, FaultInjector) {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "redis"))
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: fake.environment, ledger: ledger, revertTimeout: .milliseconds(500))
        return (fake, ledger, injector)
    }

    // The intent (with its revert plan) is on disk before the engine is asked to inject.
    @Test func writesIntentBeforeInject() async throws {
        let (fake, ledger, injector) = try setUp()
        let seenAtCall = SeenRecords()
        fake.onCall("pause") { seenAtCall.set((try? ledger.records()) ?? []) }
        let target = try await fake.inspectContainer("c1")
        let fault = try await injector.inject(PauseFault(), on: target, window: .seconds(5))
        let atCall = seenAtCall.value
        #expect(atCall.count == 1)
        #expect(atCall.first?.event == .intent)
        #expect(atCall.first?.revert == .unpause(UnpauseStep(containerID: "c1")))
        #expect(atCall.first?.deadline != nil)
        #expect(try ledger.openEntries().map(\.status) == [.injected])
        _ = await injector.revert(fault)
        #expect(try ledger.openEntries().isEmpty)
        #expect(fake.calls.filter { !$0.hasPrefix("inspect") } == ["pause c1", "unpause c1"])
    }

    // A failed inject is reverted at once; the error says so and the ledger entry is closed.
    @Test func revertsFailedInject() async throws {
        let (fake, ledger, injector) = try setUp()
        fake.fail("pause", with: DockerEngineError(kind: .transport, method: "POST", path: "/containers/c1/pause", message: "timed out"))
        let target = try await fake.inspectContainer("c1")
        do {
            _ = try await injector.inject(PauseFault(), on: target, window: .seconds(5))
            Issue.record("inject succeeded")
        } catch let error as FaultError {
            #expect(error.description.contains("timed out"))
            #expect(error.description.contains("revert: already clear"))
        }
        #expect(fake.calls.contains("unpause c1"))
        #expect(try ledger.openEntries().isEmpty)
    }

    // A fault whose prepare refuses writes nothing and calls nothing that changes the target.
    @Test func refusesWithoutSideEffects() async throws {
        let (fake, ledger, injector) = try setUp()
        fake.add(FakeEngine.details(id: "c2", name: "stopped", running: false))
        let target = try await fake.inspectContainer("c2")
        await #expect(throws: FaultError.self) { try await injector.inject(PauseFault(), on: target, window: .seconds(1)) }
        #expect(try ledger.records().isEmpty)
        #expect(fake.calls.allSatisfy { $0.hasPrefix("inspect") })
    }

    // Reverting twice is harmless: the second finds nothing to undo.
    @Test func revertIsIdempotent() async throws {
        let (fake, _, injector) = try setUp()
        let target = try await fake.inspectContainer("c1")
        let fault = try await injector.inject(PauseFault(), on: target, window: .seconds(1))
        let first = await injector.revert(fault)
        let second = await injector.revert(fault)
        #expect(try first.result.get() == .restored)
        #expect(try second.result.get() == .alreadyClear("not paused"))
    }

    // A revert started by a cancelled task still runs to completion.
    @Test func revertRunsWhenCancelled() async throws {
        let (fake, ledger, injector) = try setUp()
        fake.delay("unpause", by: .milliseconds(200))
        let target = try await fake.inspectContainer("c1")
        let fault = try await injector.inject(PauseFault(), on: target, window: .seconds(1))
        let task = Task { await injector.revert(fault) }
        task.cancel()
        let report = await task.value
        #expect(report.succeeded)
        #expect(try await fake.inspectContainer("c1").state.paused == false)
        #expect(try ledger.openEntries().isEmpty)
    }

    // A revert that hangs is cut off by its own time-out, recorded as failed, and stays open.
    @Test func revertTimesOut() async throws {
        let (fake, ledger, injector) = try setUp()
        fake.delay("unpause", by: .seconds(3))
        let target = try await fake.inspectContainer("c1")
        let fault = try await injector.inject(PauseFault(), on: target, window: .seconds(1))
        let clock = ContinuousClock()
        let started = clock.now
        let report = await injector.revert(fault)
        #expect(clock.now - started < .seconds(2))
        #expect(!report.succeeded)
        let open = try ledger.openEntries()
        #expect(open.map(\.status) == [.revertFailed])
        #expect(open.first?.lastError?.contains("did not finish within 500ms") == true)
    }

    // One-shot faults are closed right after the inject when reverted with a `.nothing` plan.
    @Test func oneShotKill() async throws {
        let (fake, ledger, injector) = try setUp()
        let target = try await fake.inspectContainer("c1")
        let fault = try await injector.inject(KillFault(signal: "SIGKILL", startAgainAfterWindow: false), on: target, window: nil)
        #expect(fault.revert == .nothing)
        #expect(try await injector.revert(fault).result.get() == .nothingToRevert)
        #expect(try ledger.openEntries().isEmpty)
        #expect(try ledger.records().first?.deadline == nil)
    }
}

/// Records captured inside a fake's call hook.
final class SeenRecords: Sendable {
    private let storage = Mutex<[LedgerRecord]>([])
    func set(_ records: [LedgerRecord]) { storage.withLock { $0 = records } }
    var value: [LedgerRecord] { storage.withLock { $0 } }
}

import Synchronization
