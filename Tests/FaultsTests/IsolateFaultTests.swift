import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

/// A node cut off from its peers: marked rules in the host's own namespace (PID 1's), both ways and
/// for forwarded traffic, recorded before they are added; the revert deletes exactly those.
@Suite struct IsolateFaultTests {
    static let node = LedgerRecord.Target(id: "n2id", name: "node2")

    // The intent holds every rule before the first is added; both directions and forwarded
    // traffic for each peer, in PID 1's namespace; a rule that was there before stays.
    @Test func cutsBothWaysAndRevertsOnlyItsRules() async throws {
        let engine = FakeEngine()
        engine.namespaces.state.withLock { $0.rules = [["INPUT", "-s", "10.9.9.9", "-j", "ACCEPT"]] }
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: engine.environment, ledger: ledger, revertTimeout: .seconds(2))
        let fault = try await injector.inject(IsolateParameters(node: "node2", from: ["172.28.0.4", "172.28.0.2"]).nodeFault,
                                              onThisNode: Self.node, window: .seconds(10))
        let intent = try #require(try ledger.records().first)
        guard case .hostNetwork(let step) = intent.revert else { Issue.record("no host-network step: \(intent.revert)"); return }
        #expect(step.rules.count == 8)
        #expect(Set(step.rules.map(\.chain)) == ["INPUT", "OUTPUT", "FORWARD"])
        #expect(step.rules.contains { $0.chain == "INPUT" && $0.match == ["-s", "172.28.0.4"] })
        #expect(step.rules.contains { $0.chain == "OUTPUT" && $0.match == ["-d", "172.28.0.2"] })
        #expect(engine.namespaces.commands.allSatisfy { $0.hasPrefix("1: iptables") })
        #expect(engine.namespaces.rules.count == 9)

        #expect(try await injector.revert(fault).result.get() == .restored)
        #expect(engine.namespaces.rules == [["INPUT", "-s", "10.9.9.9", "-j", "ACCEPT"]])
        #expect(try ledger.openEntries().isEmpty)
        // Idempotent: nothing of the fault is left to delete.
        #expect(try await step.apply(in: engine.environment) == .alreadyClear("no rule of this fault was left on node2"))
    }

    // A rule that cannot be added stops the inject and what was added is taken out again.
    @Test func aRefusedRuleLeavesNothing() async throws {
        let engine = FakeEngine()
        engine.namespaces.failCommands(containing: "-I FORWARD")
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: engine.environment, ledger: ledger, revertTimeout: .seconds(2))
        await #expect(throws: (any Error).self) {
            _ = try await injector.inject(IsolateParameters(node: "node2", from: ["172.28.0.4"]).nodeFault, onThisNode: Self.node, window: .seconds(10))
        }
        #expect(engine.namespaces.rules.isEmpty)
        #expect(try ledger.openEntries().isEmpty)
    }

    // Names that were not turned into addresses, or no peer at all, are refused before anything is recorded.
    @Test func refusesPeersThatAreNoAddresses() async throws {
        let engine = FakeEngine()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: engine.environment, ledger: ledger)
        for from in [["node1"], []] {
            await #expect(throws: FaultError.self) {
                _ = try await injector.inject(IsolateParameters(node: "node2", from: from).nodeFault, onThisNode: Self.node, window: .seconds(10))
            }
        }
        #expect(try ledger.records().isEmpty)
        #expect(engine.namespaces.commands.isEmpty)
    }

    // An isolate whose process was SIGKILLed is undone by start-up recovery from the ledger alone.
    @Test func recoveryDeletesAnOrphanedIsolate() async throws {
        let engine = FakeEngine()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let gone = ProcessOwner(pid: 999_999, startTicks: 1, bootID: ProcessOwner.currentBootID(), command: "faultline agent")
        let injector = FaultInjector(environment: engine.environment, ledger: ledger, owner: gone)
        _ = try await injector.inject(IsolateParameters(node: "node2", from: ["172.28.0.4"]).nodeFault, onThisNode: Self.node, window: .seconds(30))
        #expect(engine.namespaces.rules.count == 4)
        let report = try await LedgerRecovery(environment: engine.environment, ledger: ledger).recover()
        #expect(report.reverted.map(\.entry.targetName) == ["node2"])
        #expect(engine.namespaces.rules.isEmpty)
        #expect(try ledger.openEntries().isEmpty)
    }
}
