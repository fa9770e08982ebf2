@testable import Daemon
import Faults
import FaultlineSupport
import Foundation
import Logging
import TestSupport
import Testing

/// The agent's fault book on the fake engine: requests read by the kinds' one definition, faults
/// ended by their window without the coordinator, early and repeated ends, the ledger's deadline.
@Suite struct AgentFaultsTests {
    static func book(_ engine: FakeEngine) throws -> (AgentFaults, FaultLedger) {
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        return (AgentFaults(environment: engine.environment, ledger: ledger, logger: Logger(label: "test")), ledger)
    }

    static func engineWithWeb() -> FakeEngine {
        let engine = FakeEngine()
        engine.add(FakeEngine.details(id: "c0ffee01", name: "web"))
        engine.add(FakeEngine.details(id: "c0ffee02", name: "db"))
        return engine
    }

    // A paused container is unpaused when its window ends, with nobody asking: the coordinator may be gone.
    @Test func endsAFaultWhenItsWindowEndsWithoutTheCoordinator() async throws {
        let engine = Self.engineWithWeb()
        let (book, ledger) = try Self.book(engine)
        let fault = try await book.inject(AgentFaultRequest(kind: "pause", target: "web", window: "200ms", deadline: "5s"))
        #expect(fault.state == .active && fault.container == "web" && fault.windowMS == 200)
        #expect(engine.calls.contains("pause c0ffee01"))
        #expect(try ledger.openEntries().count == 1)
        let deadline = ContinuousClock.now + .seconds(5)
        while await book.heldCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let ended = try await book.fault(fault.id)
        #expect(ended.state == .reverted && ended.endedBy == "window ended" && ended.outcome == "restored", "\(ended)")
        #expect(engine.calls.contains("unpause c0ffee01"))
        #expect(try ledger.openEntries().isEmpty)
    }

    // The ledger entry's hard deadline is the request's, counted from its receipt: the warden's backstop.
    @Test func recordsTheRequestsDeadlineInTheLedger() async throws {
        let engine = Self.engineWithWeb()
        let (book, ledger) = try Self.book(engine)
        let before = Date()
        _ = try await book.inject(AgentFaultRequest(kind: "pause", target: "web", window: "30s", deadline: "45s"))
        let entry = try #require(try ledger.openEntries().first)
        let deadline = try #require(entry.intent.deadline.flatMap { Timestamp.parse($0) })
        #expect(abs(deadline.timeIntervalSince(before) - 45) < 2, "\(deadline) vs \(before)")
        await book.shutdown()
        #expect(try ledger.openEntries().isEmpty)
    }

    // A coordinator's early end reverts at once; asking again answers as it ended, and does not revert twice.
    @Test func endsEarlyOnceAndAnswersRepeatedEndsTheSame() async throws {
        let engine = Self.engineWithWeb()
        let (book, _) = try Self.book(engine)
        let fault = try await book.inject(AgentFaultRequest(kind: "pause", target: "db", window: "60s", deadline: "70s"))
        async let first = book.revert(fault.id)
        async let second = book.revert(fault.id)
        let (a, b) = try await (first, second)
        #expect(a == b && a.state == .reverted && a.endedBy == "asked by the coordinator", "\(a) \(b)")
        #expect(engine.calls.filter { $0 == "unpause c0ffee02" }.count == 1, "\(engine.calls)")
        #expect(try await book.revert(fault.id) == a)
        #expect(await book.heldCount == 0)
    }

    // A one-shot fault is done when the request returns; nothing is held.
    @Test func doesAOneShotFaultAtOnce() async throws {
        let engine = Self.engineWithWeb()
        let (book, ledger) = try Self.book(engine)
        let fault = try await book.inject(AgentFaultRequest(kind: "kill", target: "web", parameters: ["signal": ["SIGTERM"]]))
        #expect(fault.state == .reverted && fault.endedBy == "one-shot" && fault.outcome == "nothing to revert", "\(fault)")
        #expect(engine.calls.contains("kill c0ffee01"))
        #expect(await book.heldCount == 0)
        #expect(try ledger.openEntries().isEmpty)
    }

    // A drain is sent to the manager's agent with the node as its target: held through the
    // ledger like a container fault and set back when its window ends; without a manager it is
    // refused, naming why, and nothing is recorded.
    @Test func drainsASwarmNodeForItsWindow() async throws {
        let manager = FakeSwarmManager()
        manager.add(id: "n2id", hostname: "node2")
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let book = AgentFaults(environment: manager.environment(FakeEngine()), ledger: ledger, logger: Logger(label: "test"))
        let fault = try await book.inject(AgentFaultRequest(kind: "drain", target: "n2id", parameters: ["node": ["node2"]], window: "200ms", deadline: "5s"))
        #expect(fault.state == .active && fault.container == "node2")
        #expect(manager.node("n2id")?.spec["Availability"] == "drain")
        let deadline = ContinuousClock.now + .seconds(5)
        while await book.heldCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let ended = try await book.fault(fault.id)
        #expect(ended.state == .reverted && ended.outcome == "restored", "\(ended)")
        #expect(manager.node("n2id")?.spec["Availability"] == "active")
        #expect(try ledger.openEntries().isEmpty)

        // A node the manager does not have: 409 naming it, nothing in the ledger.
        let before = try ledger.records().count
        do {
            _ = try await book.inject(AgentFaultRequest(kind: "drain", target: "n9id", parameters: ["node": ["node9"]], window: "1s", deadline: "2s"))
            Issue.record("a drain of an unknown node was taken")
        } catch {
            #expect(error.status == 409 && error.message.contains("no such node") && error.message.contains("n9id"), "\(error.message)")
        }
        #expect(try ledger.records().count == before)

        let (plain, plainLedger) = try Self.book(Self.engineWithWeb())
        do {
            _ = try await plain.inject(AgentFaultRequest(kind: "drain", target: "n2id", parameters: ["node": ["node2"]], window: "1s", deadline: "2s"))
            Issue.record("a drain without a manager was taken")
        } catch {
            #expect(error.status == 502 && error.message.contains("no Swarm manager"), "\(error.message)")
        }
        #expect(try plainLedger.records().isEmpty)
    }

    // An isolate is taken only by the agent whose engine is that Swarm node: its rules go into
    // the host's namespace for the window and out again; another node's agent refuses with 409.
    @Test func isolatesOnlyItsOwnNode() async throws {
        let manager = FakeSwarmManager()
        manager.setLocalNode("n2id")
        let engine = FakeEngine()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let book = AgentFaults(environment: manager.environment(engine), ledger: ledger, logger: Logger(label: "test"))
        let request = AgentFaultRequest(kind: "isolate", target: "n2id", parameters: ["node": ["node2"], "from": ["172.28.0.2", "172.28.0.4"]],
                                        window: "200ms", deadline: "5s")
        let fault = try await book.inject(request)
        #expect(fault.state == .active && fault.container == "node2")
        #expect(engine.namespaces.rules.count == 8)
        let deadline = ContinuousClock.now + .seconds(5)
        while await book.heldCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await book.fault(fault.id).outcome == "restored")
        #expect(engine.namespaces.rules.isEmpty)

        manager.setLocalNode("n3id")
        do {
            _ = try await book.inject(request)
            Issue.record("an isolate of another node was taken")
        } catch {
            #expect(error.status == 409 && error.message.contains("Swarm node n3id, not n2id (node2)"), "\(error.message)")
        }
        #expect(engine.namespaces.rules.isEmpty)
        #expect(try ledger.openEntries().isEmpty)
    }

    // Bad requests are refused with one line naming what is allowed, and nothing reaches the engine.
    @Test func refusesBadRequestsBeforeTouchingTheEngine() async throws {
        let engine = Self.engineWithWeb()
        let (book, ledger) = try Self.book(engine)
        let cases: [(AgentFaultRequest, Int, String)] = [
            (AgentFaultRequest(kind: "paws", target: "web", window: "1s", deadline: "2s"), 400, "did you mean 'pause'?"),
            (AgentFaultRequest(kind: "toxic", target: "web", window: "1s", deadline: "2s"), 400, "an agent takes container faults, drains and isolates of Swarm nodes"),
            (AgentFaultRequest(kind: "pause", target: "web"), 400, "needs 'window'"),
            (AgentFaultRequest(kind: "pause", target: "web", window: "10s"), 400, "needs 'deadline'"),
            (AgentFaultRequest(kind: "pause", target: "web", window: "10s", deadline: "5s"), 400, "shorter than the window"),
            (AgentFaultRequest(kind: "pause", target: "web", window: "10s", deadline: "25h"), 400, "longer than an agent holds"),
            (AgentFaultRequest(kind: "restart", target: "web", window: "1s", deadline: "2s"), 400, "one-shot"),
            (AgentFaultRequest(kind: "cpu", target: "web", parameters: ["cpus": ["0"]], window: "1s", deadline: "2s"), 400, "cpus"),
            (AgentFaultRequest(kind: "cpu", target: "web", parameters: ["cores": ["1"]], window: "1s", deadline: "2s"), 400, "cores"),
            (AgentFaultRequest(kind: "pause", target: "wbe", window: "1s", deadline: "2s"), 404, "web"),
        ]
        for (request, status, text) in cases {
            do {
                _ = try await book.inject(request)
                Issue.record("accepted \(request)")
            } catch {
                #expect(error.status == status && error.message.contains(text), "\(request): \(error.status) \(error.message)")
            }
        }
        #expect(!engine.calls.contains { $0.hasPrefix("pause") || $0.hasPrefix("kill") || $0.hasPrefix("restart") }, "\(engine.calls)")
        #expect(try ledger.entries().isEmpty)
    }

    // A protected container is refused with 403, naming the label.
    @Test func refusesAProtectedContainer() async throws {
        let engine = FakeEngine()
        engine.add(FakeEngine.details(id: "feed01", name: "vault", labels: [TargetProtection.label: "true"]))
        let (book, _) = try Self.book(engine)
        await #expect(throws: APIError.self) { try await book.inject(AgentFaultRequest(kind: "pause", target: "vault", window: "1s", deadline: "2s")) }
        do {
            _ = try await book.inject(AgentFaultRequest(kind: "pause", target: "vault", window: "1s", deadline: "2s"))
        } catch {
            #expect(error.status == 403 && error.message.contains(TargetProtection.label), "\(error.message)")
        }
        #expect(!engine.calls.contains("pause feed01"))
    }

    // Stopping the agent reverts everything it holds.
    @Test func shutdownRevertsEverythingHeld() async throws {
        let engine = Self.engineWithWeb()
        let (book, ledger) = try Self.book(engine)
        _ = try await book.inject(AgentFaultRequest(kind: "pause", target: "web", window: "60s", deadline: "70s"))
        _ = try await book.inject(AgentFaultRequest(kind: "pause", target: "db", window: "60s", deadline: "70s"))
        await book.shutdown()
        #expect(engine.calls.contains("unpause c0ffee01") && engine.calls.contains("unpause c0ffee02"))
        #expect(await book.list().allSatisfy { $0.state == .reverted && $0.endedBy == "the agent is stopping" })
        #expect(try ledger.openEntries().isEmpty)
    }

    // A stopping agent takes no new fault (503), and nothing reaches the engine.
    @Test func refusesNewFaultsOnceStopping() async throws {
        let engine = Self.engineWithWeb()
        let (book, ledger) = try Self.book(engine)
        await book.shutdown()
        do {
            _ = try await book.inject(AgentFaultRequest(kind: "pause", target: "web", window: "1s", deadline: "2s"))
            Issue.record("a stopping agent took a fault")
        } catch {
            #expect(error.status == 503 && error.message.contains("stopping"), "\(error.message)")
        }
        #expect(!engine.calls.contains("pause c0ffee01"))
        #expect(try ledger.entries().isEmpty)
    }

    // A fault still being injected when the agent stops is ended too: shutdown waits for it.
    @Test func shutdownEndsAFaultInjectedMeanwhile() async throws {
        let engine = Self.engineWithWeb()
        engine.delay("pause", by: .milliseconds(300))
        let (book, ledger) = try Self.book(engine)
        let injecting = Task { try await book.inject(AgentFaultRequest(kind: "pause", target: "web", window: "60s", deadline: "70s")) }
        while !engine.calls.contains("pause c0ffee01") { try await Task.sleep(for: .milliseconds(5)) }
        await book.shutdown()
        #expect(try await injecting.value.container == "web")
        #expect(engine.calls.contains("unpause c0ffee01"), "\(engine.calls)")
        #expect(await book.heldCount == 0)
        #expect(try ledger.openEntries().isEmpty)
    }
}
