@testable import Campaign
import DockerEngine
import Faults
import Foundation
import Testing

/// A campaign's isolate names a Swarm node; the plan finds it and its peers' addresses in a
/// manager's view, sends it to the agent on that node, and refuses what it cannot carry out.
@Suite struct IsolatePlanTests {
    static func campaign(_ isolate: String = "{ isolate: { node: node2 } }") throws -> CampaignDefinition {
        try CampaignParser.parse("name: i\ntimeline:\n  - { at: 0s, fault: \(isolate), for: 5s }\n", file: "i.yaml")
    }

    static let nodes = [SwarmNode(id: "n1id", hostname: "node1", address: "172.28.0.2"), SwarmNode(id: "n2id", hostname: "node2", address: "172.28.0.3"),
                        SwarmNode(id: "n3id", hostname: "node3", address: "172.28.0.4")]

    static func view(fleet: Bool = true, nodes: [SwarmNode] = nodes) -> SwarmView {
        var view = SwarmView(services: [], nodes: nodes, managerNode: fleet ? "node1" : nil)
        if fleet { view.fleetNodes = ["n1id": "node1", "n2id": "node2", "n3id": "node3"] } else { view.localNodeID = "n2id" }
        return view
    }

    // The isolate goes to the agent of its own node (not the manager's), cut off from every other
    // node's address; `from` narrows that to the nodes (or addresses) it names.
    @Test func sendsAddressesToTheNodesOwnAgent() throws {
        let campaign = try Self.campaign()
        let nodes = try SwarmNodeTargets.resolve(campaign, swarm: Self.view(), containers: [])
        #expect(nodes == ["node2": PlannedTarget(id: "n2id", name: "node2", node: "node2")])
        let plan = try PlanExpander.expand(campaign, targets: [:], swarmNodes: nodes, swarm: Self.view())
        let fault = try #require(plan.faults.first)
        #expect(fault.container.node == "node2")
        #expect((fault.fault.parameters as? IsolateParameters)?.from == ["172.28.0.2", "172.28.0.4"])

        let narrow = try Self.campaign("{ isolate: { node: n2id, from: [node3, 10.1.0.0/16] } }")
        let planned = try PlanExpander.expand(narrow, targets: [:], swarmNodes: try SwarmNodeTargets.resolve(narrow, swarm: Self.view(), containers: []),
                                              swarm: Self.view())
        #expect((planned.faults.first?.fault.parameters as? IsolateParameters)?.from == ["10.1.0.0/16", "172.28.0.4"])

        // Without a fleet, only on the node the run's engine is.
        #expect(try SwarmNodeTargets.resolve(campaign, swarm: Self.view(fleet: false), containers: []) == ["node2": PlannedTarget(id: "n2id", name: "node2")])
        let elsewhere = try Self.campaign("{ isolate: { node: node3 } }")
        #expect(throws: PlanError.isolateElsewhere(node: "node3")) { try SwarmNodeTargets.resolve(elsewhere, swarm: Self.view(fleet: false), containers: []) }
    }

    // Refused before anything is injected, each in one line: no manager, an unknown or protected
    // node, a node no fleet agent runs on, from naming the node itself or an unknown name, no peer.
    @Test func refusesBeforeInjecting() throws {
        #expect(throws: PlanError.noSwarmManagerForNode(node: "node2", kind: .isolate)) {
            try SwarmNodeTargets.resolve(try Self.campaign(), swarm: nil, containers: [])
        }
        #expect { try SwarmNodeTargets.resolve(try Self.campaign("{ isolate: { node: node9 } }"), swarm: Self.view(), containers: []) } throws: {
            "\($0)".contains("isolate of node 'node9': the Swarm has no such node") && "\($0)".contains("nodes: node1, node2, node3")
        }
        var protected = Self.nodes
        protected[1] = SwarmNode(id: "n2id", hostname: "node2", labels: ["faultline.protect": "true"], address: "172.28.0.3")
        #expect(throws: PlanError.protectedSwarmNode(node: "node2", kind: .isolate)) {
            try SwarmNodeTargets.resolve(try Self.campaign(), swarm: Self.view(nodes: protected), containers: [])
        }
        var noAgent = Self.view()
        noAgent.fleetNodes = ["n1id": "node1"]
        #expect(throws: PlanError.noAgentOnSwarmNode(node: "node2", fleetNodes: ["node1"])) {
            try SwarmNodeTargets.resolve(try Self.campaign(), swarm: noAgent, containers: [])
        }
        #expect { try SwarmNodeTargets.resolve(try Self.campaign("{ isolate: { node: node2, from: [node2] } }"), swarm: Self.view(), containers: []) } throws: {
            "\($0)".contains("'node2' is the node itself")
        }
        #expect { try SwarmNodeTargets.resolve(try Self.campaign("{ isolate: { node: node2, from: [db] } }"), swarm: Self.view(), containers: []) } throws: {
            "\($0)".contains("'db' in from is neither a node of the Swarm (node1, node2, node3) nor an address/CIDR")
        }
        let alone = [SwarmNode(id: "n2id", hostname: "node2", address: "172.28.0.3")]
        var single = Self.view(nodes: alone)
        single.fleetNodes = ["n2id": "node2"]
        #expect { try SwarmNodeTargets.resolve(try Self.campaign(), swarm: single, containers: []) } throws: {
            "\($0)".contains("no other node (with an address) to cut it off from")
        }
        // In chaos mode it is refused at the file's line.
        let chaos = CampaignParserTests.minimal + "\nchaos: { faults: [isolate], targets: [db], count: 1, between: [1s, 2s], duration: [1s, 1s] }\n"
        #expect { _ = try CampaignParser.parse(chaos, file: "c.yaml") } throws: { "\($0)".contains("isolate acts on a Swarm node") }
    }
}
