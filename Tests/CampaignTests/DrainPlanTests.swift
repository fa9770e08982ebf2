@testable import Campaign
import DockerEngine
import Faults
import Foundation
import Testing

/// A campaign's drain names a Swarm node; the plan finds it in a manager's view and refuses,
/// before anything is injected, a node that is unknown, protected, already drained, or whose
/// drain would stop every running replica of a service.
@Suite struct DrainPlanTests {
    static func campaign(_ drain: String = "{ drain: { node: node2 } }") throws -> CampaignDefinition {
        try CampaignParser.parse(CampaignParserTests.minimal.replacingOccurrences(of: "{ pause: { target: db } }", with: drain), file: "d.yaml")
    }

    static let nodes = [SwarmNode(id: "n1id", hostname: "node1"), SwarmNode(id: "n2id", hostname: "node2"), SwarmNode(id: "n3id", hostname: "node3")]

    /// Two replicas of web, one on node2 and one on node3; db on node1.
    static func tasks() throws -> [ContainerSummary] {
        [try SwarmSelectorTests.task("w1", service: "web", slot: 1, node: "n2id"), try SwarmSelectorTests.task("w2", service: "web", slot: 2, node: "n3id"),
         try SwarmSelectorTests.task("d1", service: "db", slot: 1, node: "n1id")]
    }

    static func view(_ nodes: [SwarmNode] = nodes) -> SwarmView {
        SwarmView(services: [SwarmService(id: "s1", name: "web", runningTasks: 2, desiredTasks: 2)], nodes: nodes, managerNode: "node1")
    }

    // A campaign of drains alone needs no container targets; one with a container fault still does.
    @Test func nodeFaultsAloneNeedNoTargets() throws {
        let drainsOnly = "name: d\ntimeline:\n  - { at: 0s, fault: { drain: { node: node3 } }, for: 5s }\n"
        let campaign = try CampaignParser.parse(drainsOnly, file: "d.yaml")
        #expect(campaign.targets.isEmpty)
        #expect(campaign.timeline.map(\.fault.target) == ["node3"])
        let withPause = drainsOnly + "  - { at: 1s, fault: { pause: { target: db } }, for: 1s }\n"
        #expect(throws: CampaignError.self) { try CampaignParser.parse(withPause, file: "d.yaml") }
        do {
            _ = try CampaignParser.parse(withPause, file: "d.yaml")
        } catch {
            #expect(error.description.contains("d.yaml:1:1: missing 'targets'"))
        }
    }

    // The drain is one fault on the node (by host name or id), carried out by the manager's node.
    @Test func plansTheDrainOnItsNode() throws {
        let campaign = try Self.campaign()
        let window = try #require(campaign.timeline.first)
        #expect(window.fault.kind == .drain)
        #expect(window.fault.target == "node2")
        let nodes = try SwarmNodeTargets.resolve(campaign, swarm: Self.view(), containers: try Self.tasks())
        #expect(nodes == ["node2": PlannedTarget(id: "n2id", name: "node2", node: "node1")])
        let plan = try PlanExpander.expand(campaign, targets: [:], swarmNodes: nodes)
        #expect(plan.faults.map(\.container) == [PlannedTarget(id: "n2id", name: "node2", node: "node1")])
        #expect(plan.nodes == ["node1"])
        #expect(plan.containers.isEmpty)

        let byID = try Self.campaign("{ drain: { node: n3id, availability: pause } }")
        #expect(try SwarmNodeTargets.resolve(byID, swarm: Self.view(), containers: []) == ["n3id": PlannedTarget(id: "n3id", name: "node3", node: "node1")])
    }

    @Test func refusesBeforeInjecting() throws {
        let campaign = try Self.campaign()
        #expect(throws: PlanError.noSwarmManagerForNode(node: "node2")) { try SwarmNodeTargets.resolve(campaign, swarm: nil, containers: []) }
        let unknown = try Self.campaign("{ drain: { node: node7 } }")
        #expect { try SwarmNodeTargets.resolve(unknown, swarm: Self.view(), containers: []) } throws: {
            "\($0)".contains("no such node") && "\($0)".contains("nodes: node1, node2, node3")
        }
        let protected = Self.view([SwarmNode(id: "n2id", hostname: "node2", labels: [TargetProtection.label: "true"])])
        #expect(throws: PlanError.protectedSwarmNode(node: "node2")) { try SwarmNodeTargets.resolve(campaign, swarm: protected, containers: []) }
        let drained = Self.view([SwarmNode(id: "n2id", hostname: "node2", availability: "drain")])
        #expect(throws: PlanError.swarmNodeAlready(node: "node2", availability: "drain")) {
            try SwarmNodeTargets.resolve(campaign, swarm: drained, containers: [])
        }
        // Both replicas of web on node2: draining it stops web whole. Pausing its availability stops nothing.
        let together = [try SwarmSelectorTests.task("w1", service: "web", slot: 1, node: "n2id"), try SwarmSelectorTests.task("w2", service: "web", slot: 2, node: "n2id")]
        #expect(throws: PlanError.drainTakesEveryReplica(node: "node2", service: "web", replicas: 2)) {
            try SwarmNodeTargets.resolve(campaign, swarm: Self.view(), containers: together)
        }
        let pause = try Self.campaign("{ drain: { node: node2, availability: pause } }")
        #expect(try SwarmNodeTargets.resolve(pause, swarm: Self.view(), containers: together).count == 1)
        // The campaign says it means to: the drain may stop web whole.
        let meant = try Self.campaign("{ drain: { node: node2, all_replicas: true } }")
        #expect(try SwarmNodeTargets.resolve(meant, swarm: Self.view(), containers: together).count == 1)
        let notMeant = try Self.campaign("{ drain: { node: node2, all_replicas: false } }")
        #expect(throws: PlanError.drainTakesEveryReplica(node: "node2", service: "web", replicas: 2)) {
            try SwarmNodeTargets.resolve(notMeant, swarm: Self.view(), containers: together)
        }
    }

    // A drain is a timeline window with a node: no target, no chaos, and its parameters checked.
    @Test func parserChecksTheDrain() throws {
        let mistakes = [
            ("{ drain: { node: node2, target: db } }", "unknown key 'target'"),
            ("{ drain: {} }", "node"),
            ("{ drain: { node: node2, availability: active } }", "not one of drain, pause"),
            ("{ drain: { node: node2, all_replicas: yes please } }", "must be true or false"),
        ]
        for (fault, expected) in mistakes {
            #expect { _ = try Self.campaign(fault) } throws: { "\($0)".contains(expected) && "\($0)".contains("d.yaml:") }
        }
        let chaos = CampaignParserTests.minimal + """

        chaos: { faults: [drain], targets: [db], count: 1, between: [1s, 2s], duration: [1s, 1s] }
        """
        #expect { _ = try CampaignParser.parse(chaos, file: "c.yaml") } throws: { "\($0)".contains("drain acts on a Swarm node") }
    }
}
