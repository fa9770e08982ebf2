@testable import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation
import Logging
import Probes
import Synchronization
import TestSupport
import Testing

/// A campaign across fleet nodes, on a fake fleet: targets resolved per node, each fault sent to
/// its container's node and ended there, every node reached before the first fault, and a node
/// lost mid-window aborting the run by name.
@Suite struct FleetCampaignTests {
    /// Nodes whose agents record what they are asked; `unreachable` nodes refuse every call.
    final class FakeFleet: NodeFaults {
        struct State {
            var calls: [String] = []
            var unreachable: Set<String> = []
            var held: [String: NodeFault] = [:]
            /// Each node's clock minus this one's (what `clockOffset` answers and probes' samples carry).
            var clocks: [String: Duration] = [:]
            /// A node probe's stream breaks after this many samples (nil: it runs until hung up).
            var probeBreaksAfter: Int?
            /// A node probe's stream fails after this long without a sample (an agent's late refusal).
            var probeRefusedAfter: Duration?
        }
        let engines: [TargetMatcher.Engine]
        let state = Mutex(State())
        /// Called after each inject (to break a node mid-window).
        let afterInject: @Sendable (FakeFleet, NodeFault) -> Void

        init(_ nodes: [String: [String]], afterInject: @escaping @Sendable (FakeFleet, NodeFault) -> Void = { _, _ in }) {
            engines = nodes.sorted { $0.key < $1.key }.map { node, names in
                TargetMatcher.Engine(node: node, containers: names.map { FakeEngine.summary(FakeEngine.details(id: "\(node)-\($0)", name: $0)) })
            }
            self.afterInject = afterInject
        }

        var nodes: [String] { engines.compactMap(\.node) }
        var calls: [String] { state.withLock { $0.calls } }
        var held: [NodeFault] { state.withLock { Array($0.held.values) } }
        func cut(_ node: String) { state.withLock { _ = $0.unreachable.insert(node) } }

        struct Unreachable: Error, CustomStringConvertible { let node: String; var description: String { "node '\(node)': GET /v1/health: connection refused" } }

        func inventory() async throws -> [TargetMatcher.Engine] { engines }

        func reach(_ node: String) async throws {
            if state.withLock({ $0.unreachable.contains(node) }) { throw Unreachable(node: node) }
        }

        func inject(_ fault: PlannedFault, window: Duration?) async throws -> NodeFault {
            let node = try #require(fault.container.node)
            try await reach(node)
            let held = NodeFault(node: node, id: "f\(fault.index)", summary: fault.fault.summary, deadline: window.map { $0 + .seconds(10) })
            state.withLock {
                $0.calls.append("inject \(node) \(fault.container.id) \(fault.fault.kind.rawValue) \(fault.fault.parameters.texts.map { "\($0.key)=\($0.texts.joined(separator: ","))" }.joined(separator: " "))")
                $0.held[held.id] = held
            }
            afterInject(self, held)
            return held
        }

        func swarmView() async throws -> SwarmView? { nil }
        func swarmManager() async -> (any SwarmManaging)? { nil }

        func clockOffset(of node: String) async throws -> ClockOffset {
            try await reach(node)
            return state.withLock {
                $0.calls.append("clock \(node)")
                return ClockOffset(offset: $0.clocks[node] ?? .zero, uncertainty: .milliseconds(1))
            }
        }

        /// Ok samples every 20 ms, stamped with the node's clock, until hung up, the duration has
        /// passed or (`probeBreaksAfter`) the stream breaks.
        func probe(_ probe: ProbeDefinition, on node: String, for duration: Duration) -> AsyncThrowingStream<ProbeSample, any Error> {
            let (skew, breaksAfter, refusedAfter) = state.withLock { state in
                state.calls.append("probe \(node) \(probe.name) for \(DurationText.format(duration))")
                return (state.clocks[node] ?? .zero, state.probeBreaksAfter, state.probeRefusedAfter)
            }
            return AsyncThrowingStream { continuation in
                let task = Task {
                    if let refusedAfter {
                        try? await Task.sleep(for: refusedAfter)
                        continuation.finish(throwing: FakeFleet.Unreachable(node: node))
                        return
                    }
                    let origin = ContinuousClock.now, originDate = Date().addingTimeInterval(skew.seconds)
                    var sequence = 0
                    while !Task.isCancelled && ContinuousClock.now - origin < duration {
                        sequence += 1
                        if let breaksAfter, sequence > breaksAfter {
                            continuation.finish(throwing: FakeFleet.Unreachable(node: node))
                            return
                        }
                        let offset = ContinuousClock.now - origin
                        continuation.yield(ProbeSample(probe: probe.name, sequence: sequence, startedAt: originDate.addingTimeInterval(offset.seconds),
                                                       offset: offset, latency: .milliseconds(1), outcome: .ok, reason: "HTTP 200", attempts: 1))
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    continuation.finish()
                }
                continuation.onTermination = { _ in task.cancel() }
            }
        }

        func end(_ fault: NodeFault) async -> NodeFaultEnd {
            let lost = state.withLock { state -> Bool in
                state.calls.append("end \(fault.node) \(fault.id)")
                guard !state.unreachable.contains(fault.node) else { return true }
                state.held[fault.id] = nil
                return false
            }
            return lost ? .unreachable("connection refused; the agent reverts it by itself at its deadline") : .reverted(outcome: "restored", endedBy: NodeFaultEnd.askedByCoordinator)
        }
    }

    static func campaign(targets: String, timeline: String, probes: String = "") throws -> CampaignDefinition {
        try CampaignParser.parse("""
            name: fleet-unit
            settings: { recovery_limit: 1s, refresh_neighbours: false }
            targets:
            \(targets)
            \(probes.isEmpty ? "" : "probes:\n" + probes)
            hypothesis:
              steady_state: { window: 50ms }
            timeline:
            \(timeline)
            """, file: "fleet.yaml")
    }

    static func runner(_ campaign: CampaignDefinition, fleet: FakeFleet) throws -> CampaignRunner {
        var logger = Logger(label: "fleet-unit")
        logger.logLevel = .error
        let fake = FakeEngine()
        return CampaignRunner(campaign: campaign, source: "", file: "fleet.yaml", environment: fake.environment, neighbours: nil,
                              ledger: try FaultLedger(stateDirectory: temporaryStateDirectory()), fleet: fleet, logger: logger, emit: { _ in })
    }

    static var directory: String { NSTemporaryDirectory() + "fl-fleet-run-" + UUID().uuidString }

    // A selector without a node matches on every node; one with a node keeps to it; each fault goes
    // to its container's node with its parameters as texts, and is ended there when its window ends.
    @Test func faultsGoToTheirNodes() async throws {
        let fleet = FakeFleet(["n1": ["web", "db"], "n2": ["web"], "n3": ["web"]])
        let campaign = try Self.campaign(targets: """
              web: { name: web }
              edge: { name: web, node: n3 }
            """, timeline: """
              - { at: 0s, fault: { pause: { target: web } }, for: 200ms }
              - { at: 300ms, fault: { cpu: { target: edge, cpus: 0.25 } }, for: 200ms }
            """)
        let runner = try Self.runner(campaign, fleet: fleet)
        let plan = try await runner.plan()
        #expect(plan.targets["web"]?.map(\.described) == ["web on n1", "web on n2", "web on n3"])
        #expect(plan.targets["edge"]?.map(\.described) == ["web on n3"])
        #expect(plan.nodes == ["n1", "n2", "n3"])
        let result = try await runner.run(plan, directory: Self.directory)
        #expect(result.verdict.status == .held, "\(result.verdict.reason)")
        let injects = fleet.calls.filter { $0.hasPrefix("inject") }.sorted()
        #expect(injects == ["inject n1 n1-web pause ", "inject n2 n2-web pause ", "inject n3 n3-web cpu cpus=0.25", "inject n3 n3-web pause "])
        #expect(fleet.calls.filter { $0.hasPrefix("end") }.count == 4)
        #expect(fleet.held.isEmpty)
        #expect(result.windows.map(\.node) == ["n1", "n2", "n3", "n3"])
        #expect(result.windows.allSatisfy { $0.outcome == "restored" && $0.error == nil })
        #expect(result.windows[0].title == "#1 pause on web (node n1)")
    }

    // A node whose agent does not answer stops the run before anything is injected anywhere.
    @Test func unreachableNodeInjectsNothing() async throws {
        let fleet = FakeFleet(["n1": ["web"], "n2": ["web"]])
        fleet.cut("n2")
        let runner = try Self.runner(try Self.campaign(targets: "  web: { name: web }",
                                                       timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 100ms }"), fleet: fleet)
        let plan = try await runner.plan()
        do {
            _ = try await runner.run(plan, directory: Self.directory)
            Issue.record("the run started with node n2 unreachable")
        } catch let error as CampaignRunError {
            #expect(error.description == "fleet: nothing was injected: node 'n2': GET /v1/health: connection refused")
        }
        #expect(fleet.calls.isEmpty)
    }

    // A node lost while its fault is held aborts the run, naming the node; the other node's fault
    // is ended as usual, the lost one's window says the agent reverts it at its deadline.
    @Test func nodeLostMidWindowAbortsNamingIt() async throws {
        let fleet = FakeFleet(["n1": ["web"], "n2": ["web"]]) { fleet, held in
            if held.node == "n2" { fleet.cut("n2") }
        }
        let runner = try Self.runner(try Self.campaign(targets: "  web: { name: web }",
                                                       timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 3s }"), fleet: fleet)
        let started = ContinuousClock.now
        let result = try await runner.run(try await runner.plan(), directory: Self.directory)
        #expect(ContinuousClock.now - started < .seconds(3), "the abort ended the window early")
        #expect(result.verdict.status == .aborted)
        #expect(result.verdict.reason.contains("node 'n2'"), "\(result.verdict.reason)")
        let lost = try #require(result.windows.first { $0.node == "n2" })
        #expect(lost.error?.contains("node n2 could not be asked to end it") == true, "\(lost.error ?? "")")
        #expect(result.windows.first { $0.node == "n1" }?.outcome == "restored")
        #expect(fleet.held.map(\.node) == ["n2"])
    }

    // Selectors naming nodes: an unknown node names the fleet's; a node without a fleet says how to
    // give one; a partition peer on another node is refused at plan time.
    @Test func planErrorsNameTheNodes() async throws {
        let engines = FakeFleet(["edge-1": ["web", "db"], "edge-2": ["db"]]).engines
        let unknown = TargetSelector(name: "db", match: .name("db"), node: "edge-3")
        #expect(throws: PlanError.unknownNode(target: "db", node: "edge-3", nodes: ["edge-1", "edge-2"])) {
            try TargetMatcher(ownContainerID: nil).resolve([unknown], on: engines)
        }
        #expect(PlanError.unknownNode(target: "db", node: "edge-3", nodes: ["edge-1", "edge-2"]).description.contains("did you mean 'edge-1'?"))
        #expect(throws: PlanError.noFleet(target: "db", node: "edge-1")) {
            try TargetMatcher(ownContainerID: nil).resolve([TargetSelector(name: "db", match: .name("db"), node: "edge-1")],
                                                          among: engines[0].containers)
        }
        let whole = try TargetMatcher(ownContainerID: nil).resolve([TargetSelector(name: "all", match: .everyContainer, node: "edge-1")], on: engines)
        #expect(whole["all"]?.map(\.described) == ["db on edge-1", "web on edge-1"])
        let campaign = try Self.campaign(targets: """
              web: { name: web }
              db: { name: db, node: edge-2 }
            """, timeline: "  - { at: 0s, fault: { partition: { target: web, peers: [db] } }, for: 1s }")
        let targets = try TargetMatcher(ownContainerID: nil).resolve(campaign.targets, on: engines)
        #expect(throws: PlanError.peerOnOtherNode(container: "web on edge-1", peer: "db on edge-2")) {
            try PlanExpander.expand(campaign, targets: targets)
        }
    }

    // `node:` in a target: alone (every container of the node) or with one matcher; a bad name is located.
    @Test func parsesNodeSelectors() throws {
        let campaign = try Self.campaign(targets: """
              edge: { node: edge-2 }
              web: { name_regex: "^web", node: edge-1, pick: { random: 1 } }
            """, timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 1s }")
        #expect(campaign.target(named: "edge") == TargetSelector(name: "edge", match: .everyContainer, node: "edge-2"))
        #expect(campaign.target(named: "web") == TargetSelector(name: "web", match: .nameRegex("^web"), pick: .random(1), node: "edge-1"))
        #expect(campaign.target(named: "web")?.matchDescription == "name matching /^web/ on node edge-1")
        do {
            _ = try Self.campaign(targets: "  web: { name: web, node: \"edge 2\" }", timeline: "  - { at: 0s, fault: { pause: { target: web } }, for: 1s }")
            Issue.record("a node name with a space was accepted")
        } catch let error as CampaignError {
            #expect(error.message == "node name 'edge 2': letters, digits, '-', '_' and '.' only", "\(error)")
            #expect(error.line == 4)
        }
    }
}
