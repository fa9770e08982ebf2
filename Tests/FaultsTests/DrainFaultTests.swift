import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

@Suite struct DrainFaultTests {
    func setUp(availability: String = "active", labels: [String: String] = [:]) throws -> (FakeSwarmManager, FaultLedger, FaultInjector) {
        let manager = FakeSwarmManager()
        manager.add(id: "n2id", hostname: "node2", availability: availability, labels: labels)
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: manager.environment(FakeEngine()), ledger: ledger, revertTimeout: .seconds(2))
        return (manager, ledger, injector)
    }

    // The intent names the node and what to restore before the manager is asked; the revert
    // sets exactly that back and leaves the rest of the spec (labels, name, role) as it was.
    @Test func drainsAndRestoresOnlyTheAvailability() async throws {
        let (manager, ledger, injector) = try setUp(availability: "pause", labels: ["zone": "b"])
        let fault = try await injector.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(30))
        #expect(fault.target == .init(id: "n2id", name: "node2"))
        let intent = try #require(try ledger.records().first)
        #expect(intent.event == .intent)
        #expect(intent.revert == .nodeAvailability(NodeAvailabilityStep(nodeID: "n2id", hostname: "node2", restore: "pause", faulted: "drain")))
        #expect(manager.node("n2id")?.spec["Availability"] == "drain")
        let report = await injector.revert(fault)
        #expect(try report.result.get() == .restored)
        let node = try #require(manager.node("n2id"))
        #expect(node.spec == ["Availability": "pause", "Role": "worker", "Name": "kept-n2id"])
        #expect(node.labels == ["zone": "b"])
        #expect(try ledger.openEntries().isEmpty)
        #expect(manager.calls.filter { $0.hasPrefix("update") } == ["update n2id v10 drain", "update n2id v11 pause"])
    }

    // A revert is idempotent: a node already set back is left; one that someone else set to
    // another availability meanwhile is not overruled, and the outcome says so.
    @Test func revertLeavesWhatOthersChanged() async throws {
        let (manager, _, injector) = try setUp()
        let first = try await injector.inject(DrainParameters(node: "n2id").nodeFault, onSwarmNode: "n2id", window: .seconds(30))
        manager.set("n2id", availability: "active")
        #expect(try await injector.revert(first).result.get() == .alreadyClear("availability already active"))

        let second = try await injector.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(30))
        manager.set("n2id", availability: "pause")
        #expect(try await injector.revert(second).result.get() == .alreadyClear("availability is now pause, set by someone else; left as it is"))
        #expect(manager.node("n2id")?.spec["Availability"] == "pause")
    }

    // The manager refuses an update on an old spec version: the revert reads the node again.
    @Test func revertRetriesAnUpdateOutOfSequence() async throws {
        let (manager, _, injector) = try setUp()
        let fault = try await injector.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(30))
        manager.refuseNextUpdates(2)
        #expect(try await injector.revert(fault).result.get() == .restored)
        #expect(manager.node("n2id")?.spec["Availability"] == "active")

        let again = try await injector.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(30))
        manager.refuseNextUpdates(NodeAvailabilityStep.attempts)
        let failed = await injector.revert(again)
        #expect(throws: RevertFailure.self) { try failed.result.get() }
        #expect(manager.node("n2id")?.spec["Availability"] == "drain")
    }

    // Refused before anything is recorded: a protected node, a node already at that
    // availability, a node the manager does not have, and no manager at all.
    @Test func refusesWithoutTouching() async throws {
        let (protected, protectedLedger, protectedInjector) = try setUp(labels: [TargetProtection.label: "true"])
        await #expect(throws: FaultError.self) {
            _ = try await protectedInjector.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(5))
        }
        #expect(try protectedLedger.records().isEmpty)
        #expect(protected.calls == ["inspect node2"])

        let (_, drainedLedger, drainedInjector) = try setUp(availability: "drain")
        do {
            _ = try await drainedInjector.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(5))
            Issue.record("an already drained node was drained")
        } catch {
            #expect("\(error)".contains("already drain"))
        }
        #expect(try drainedLedger.records().isEmpty)

        let (_, _, injector) = try setUp()
        do {
            _ = try await injector.inject(DrainParameters(node: "node9").nodeFault, onSwarmNode: "node9", window: .seconds(5))
            Issue.record("an unknown node was drained")
        } catch {
            #expect("\(error)".contains("no such node"))
        }

        let noManager = FaultInjector(environment: FakeEngine().environment, ledger: try FaultLedger(stateDirectory: temporaryStateDirectory()))
        do {
            _ = try await noManager.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(5))
            Issue.record("a drain without a manager was injected")
        } catch {
            #expect("\(error)".contains("no Swarm manager"))
        }
    }

    // A drain whose process died (SIGKILL: the ledger holds only the intent and `injected`) is
    // set back by start-up recovery from the ledger alone.
    @Test func recoveryRestoresAnOrphanedDrain() async throws {
        let manager = FakeSwarmManager()
        manager.add(id: "n2id", hostname: "node2")
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let gone = ProcessOwner(pid: 999_999, startTicks: 1, bootID: ProcessOwner.currentBootID(), command: "faultline agent")
        let injector = FaultInjector(environment: manager.environment(FakeEngine()), ledger: ledger, owner: gone)
        _ = try await injector.inject(DrainParameters(node: "node2").nodeFault, onSwarmNode: "node2", window: .seconds(30))
        #expect(manager.node("n2id")?.spec["Availability"] == "drain")

        let report = try await LedgerRecovery(environment: manager.environment(FakeEngine()), ledger: ledger).recover()
        #expect(report.reverted.map(\.entry.targetName) == ["node2"])
        #expect(manager.node("n2id")?.spec["Availability"] == "active")
        #expect(try ledger.openEntries().isEmpty)
    }

    // A drain given where a container fault is asked for is refused, never a silent no-op.
    @Test func refusedOnAContainer() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "web"))
        let action = DrainParameters(node: "node2").action(hasWindow: true)
        await #expect(throws: FaultError.self) { _ = try await action.prepare(try await fake.inspectContainer("c1"), in: fake.environment) }
    }
}
