@testable import Campaign
import DockerEngine
import Foundation
import Testing

/// `swarm:` selectors match service tasks by their containers' labels, and refuse a selection whose
/// faults would act on every running replica of a service unless it says `all_replicas: true`, a
/// service that is already degraded, and a run without a manager's view; tasks of protected
/// services and nodes never match.
@Suite struct SwarmSelectorTests {
    /// A container as `GET /containers/json` lists a task of `service` in `slot` (nil: a global task).
    static func task(_ id: String, service: String, slot: Int?, stack: String? = nil, state: String = "running", node: String? = nil) throws -> ContainerSummary {
        let taskName = "\(service).\(slot.map(String.init) ?? "node0abc").task\(id)"
        var labels = [SwarmTaskLabels.serviceName: service, SwarmTaskLabels.taskName: taskName]
        if let stack { labels[SwarmTaskLabels.stackNamespace] = stack }
        if let node { labels[SwarmTaskLabels.nodeID] = node }
        let labelJSON = String(decoding: try JSONEncoder().encode(labels), as: UTF8.self)
        return try JSONDecoder().decode(ContainerSummary.self, from: Data(
            #"{"Id":"\#(id)","Names":["/\#(taskName)"],"Image":"x","State":"\#(state)","Status":"","Labels":\#(labelJSON)}"#.utf8))
    }

    /// A manager's view in which every service of `containers()` runs all it wants.
    static let whole = SwarmView(services: [
        SwarmService(id: "s1", name: "shop_web", runningTasks: 3, desiredTasks: 3), SwarmService(id: "s2", name: "shop_db", runningTasks: 1, desiredTasks: 1),
        SwarmService(id: "s3", name: "agent", runningTasks: 1, desiredTasks: 1), SwarmService(id: "s4", name: "plain", runningTasks: 1, desiredTasks: 1),
    ], nodes: [])

    static func containers() throws -> [ContainerSummary] {
        [try task("w1", service: "shop_web", slot: 1, stack: "shop"), try task("w2", service: "shop_web", slot: 2, stack: "shop"),
         try task("w3", service: "shop_web", slot: 3, stack: "shop"), try task("d1", service: "shop_db", slot: 1, stack: "shop"),
         try task("g1", service: "agent", slot: nil), try task("x1", service: "plain", slot: 1)]
    }

    // The labels say service, stack and slot; a global task has no slot; other containers are no task.
    @Test func readsTaskLabels() throws {
        let web = try #require(SwarmTaskLabels(try Self.task("w2", service: "shop_web", slot: 2, stack: "shop").labels ?? [:]))
        #expect(web == SwarmTaskLabels([SwarmTaskLabels.serviceName: "shop_web", SwarmTaskLabels.stackNamespace: "shop",
                                        SwarmTaskLabels.taskName: "shop_web.2.taskw2"]))
        #expect(web.service == "shop_web" && web.stack == "shop" && web.slot == 2)
        #expect(SwarmTaskLabels(try Self.task("g1", service: "agent", slot: nil).labels ?? [:])?.slot == nil)
        #expect(SwarmTaskLabels(["com.docker.compose.service": "web"]) == nil)
    }

    // Service by short (with stack) or full name, stack alone, one slot.
    @Test func matchesTasks() throws {
        let matcher = TargetMatcher(ownContainerID: nil)
        let resolved = try matcher.resolve([
            TargetSelector(name: "one-web", match: .swarm(.init(service: "web", stack: "shop", slot: 2))),
            TargetSelector(name: "full", match: .swarm(.init(service: "shop_web", slot: 3))),
            TargetSelector(name: "some-web", match: .swarm(.init(service: "web", stack: "shop")), pick: .random(1)),
            TargetSelector(name: "global", match: .swarm(.init(service: "agent", allReplicas: true))),
        ], among: try Self.containers(), swarm: Self.whole)
        #expect(resolved["one-web"]?.map(\.id) == ["w2"])
        #expect(resolved["full"]?.map(\.id) == ["w3"])
        #expect(resolved["some-web"]?.map(\.id).sorted() == ["w1", "w2", "w3"])
        #expect(resolved["global"]?.map(\.id) == ["g1"])
        #expect(throws: PlanError.self) {
            try matcher.resolve([TargetSelector(name: "none", match: .swarm(.init(service: "web", slot: 9)))], among: try Self.containers(), swarm: Self.whole)
        }
    }

    // Every replica at once is refused, naming the service and count; fewer, or all_replicas, is planned.
    @Test func refusesEveryReplica() throws {
        let matcher = TargetMatcher(ownContainerID: nil)
        let containers = try Self.containers()
        let refused: [(TargetSelector, String)] = [
            (TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop"))), "shop_web' (3)"),
            (TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop")), pick: .random(3)), "shop_web' (3)"),
            (TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop")), pick: .percent(100)), "shop_web' (3)"),
            (TargetSelector(name: "stack", match: .swarm(.init(stack: "shop")), pick: .random(1)), "shop_db' (1)"),
            (TargetSelector(name: "db", match: .swarm(.init(service: "db", stack: "shop"))), "shop_db' (1)"),
        ]
        for (selector, expected) in refused {
            #expect { try matcher.resolve([selector], among: containers, swarm: Self.whole) } throws: { error in
                "\(error)".contains("would act on every running replica of service '\(expected) at once") && "\(error)".contains("all_replicas: true")
            }
        }
        let allowed = [
            TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop")), pick: .random(2)),
            TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop")), pick: .percent(50)),
            TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop", allReplicas: true))),
        ]
        for selector in allowed { #expect(try matcher.resolve([selector], among: containers, swarm: Self.whole)["web"]?.isEmpty == false) }
        // A replica that is not running does not count: two of three running, both hit, is every replica.
        var stopped = containers
        stopped[2] = try Self.task("w3", service: "shop_web", slot: 3, stack: "shop", state: "exited")
        #expect(throws: PlanError.self) {
            try matcher.resolve([TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop")), pick: .random(2))], among: stopped, swarm: Self.whole)
        }
    }

    // The campaign form: swarm: { service, stack, slot, all_replicas }, with located mistakes.
    @Test func parsesSelectors() throws {
        let text = CampaignParserTests.minimal.replacingOccurrences(
            of: "db: { name: postgres }", with: "db: { swarm: { service: web, stack: shop, slot: 2, all_replicas: true } }")
        let campaign = try CampaignParser.parse(text, file: "s.yaml")
        #expect(campaign.targets.first?.match == .swarm(.init(service: "web", stack: "shop", slot: 2, allReplicas: true)))
        let mistakes = [
            ("db: { swarm: {} }", "give service, stack or both"),
            ("db: { swarm: { stack: shop, slot: 1 } }", "slot needs the service it is a replica of"),
            ("db: { swarm: { service: web, slot: 0 } }", "slot"),
            ("db: { swarm: { service: web, replicas: 2 } }", "unknown key 'replicas'"),
            ("db: { swarm: { service: web }, name: x }", "give only one of"),
        ]
        for (selector, expected) in mistakes {
            let bad = CampaignParserTests.minimal.replacingOccurrences(of: "db: { name: postgres }", with: selector)
            #expect { _ = try CampaignParser.parse(bad, file: "s.yaml") } throws: { "\($0)".contains(expected) && "\($0)".contains("s.yaml:3:") }
        }
    }

    // A service short of tasks is refused naming its counts; without a manager's view a Swarm
    // selector cannot be checked and is refused; other selectors need no view.
    @Test func refusesDegradedServicesAndBlindRuns() throws {
        let matcher = TargetMatcher(ownContainerID: nil)
        let short = SwarmView(services: [SwarmService(id: "s1", name: "shop_web", runningTasks: 3, desiredTasks: 4)], nodes: [])
        let one = TargetSelector(name: "one-web", match: .swarm(.init(service: "web", stack: "shop", slot: 2)))
        #expect(throws: PlanError.degradedService(target: "one-web", service: "shop_web", running: 3, desired: 4)) {
            try matcher.resolve([one], among: try Self.containers(), swarm: short)
        }
        #expect(PlanError.degradedService(target: "one-web", service: "shop_web", running: 3, desired: 4).description
            == "target 'one-web': service 'shop_web' is already degraded (3 of 4 tasks running); faultline adds no fault to a service that is not whole: wait until it is (`docker service ps shop_web`)")
        // Before "every replica": all that is left of a short service is refused as degraded.
        #expect(throws: PlanError.degradedService(target: "web", service: "shop_web", running: 3, desired: 4)) {
            try matcher.resolve([TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop")))], among: try Self.containers(), swarm: short)
        }
        #expect(throws: PlanError.noSwarmManager(target: "one-web")) { try matcher.resolve([one], among: try Self.containers()) }
        #expect(try matcher.resolve([TargetSelector(name: "n", match: .name("shop_web.2.taskw2"))], among: try Self.containers())["n"]?.map(\.id) == ["w2"])
    }

    // faultline.protect on a service (its spec's labels) or on a node keeps its tasks out of every selector.
    @Test func protectedServicesAndNodesNeverMatch() throws {
        var containers = try Self.containers()
        containers[0] = try Self.task("w1", service: "shop_web", slot: 1, stack: "shop", node: "nodeA")
        containers[1] = try Self.task("w2", service: "shop_web", slot: 2, stack: "shop", node: "nodeB")
        let view = SwarmView(services: Self.whole.services.values.map { service in
            service.name == "shop_db" ? SwarmService(id: service.id, name: service.name, labels: ["faultline.protect": "true"],
                                                     runningTasks: 1, desiredTasks: 1) : service
        }, nodes: [SwarmNode(id: "nodeB", hostname: "edge-2", labels: ["faultline.protect": "yes"])])
        #expect(view.protection(of: containers[1].labels ?? [:]) == "node edge-2 is protected")
        #expect(view.protection(of: containers[3].labels ?? [:]) == "service shop_db is protected")
        let matcher = TargetMatcher(ownContainerID: nil)
        let resolved = try matcher.resolve([TargetSelector(name: "web", match: .swarm(.init(service: "web", stack: "shop")), pick: .random(1))],
                                           among: containers, swarm: view)
        #expect(resolved["web"]?.map(\.id) == ["w1", "w3"])
        #expect(throws: PlanError.self) {
            try matcher.resolve([TargetSelector(name: "db", match: .swarm(.init(service: "db", stack: "shop", allReplicas: true)))], among: containers, swarm: view)
        }
        #expect(try matcher.resolve([TargetSelector(name: "all", match: .everyContainer)], among: containers, swarm: view)["all"]?.map(\.id).sorted()
            == ["g1", "w1", "w3", "x1"])
    }
}
