@testable import Campaign
import DockerEngine
import Foundation
import Testing

@Suite struct PlanExpanderTests {
    static let targets: [String: [PlannedTarget]] = [
        "db": [PlannedTarget(id: "d1", name: "shop_db_1")],
        "web": (1...4).map { PlannedTarget(id: "w\($0)", name: "shop_web_\($0)") },
    ]

    func campaign(seed: UInt64) throws -> CampaignDefinition {
        try CampaignParser.parse("""
        name: plan
        seed: \(seed)
        settings: { blast_radius: 5 }
        targets:
          db: { name: shop_db_1 }
          web: { name_regex: "shop_web_.*", pick: { random: 1 } }
        timeline:
          - at: 5s
            fault: { pause: { target: db } }
            for: 2s
            repeat: { every: 10s, times: 3, jitter: 1s }
          - at: 1s
            fault: { kill: { target: web } }
        chaos: { targets: [web], faults: [pause, stop], count: 3, between: [40s, 80s], duration: [1s, 2s] }
        """, file: "plan.yaml")
    }

    // The same seed gives the same plan; another seed another one (jitter, picks, chaos).
    @Test func isReproducible() throws {
        let first = try PlanExpander.expand(try campaign(seed: 42), targets: Self.targets)
        let again = try PlanExpander.expand(try campaign(seed: 42), targets: Self.targets)
        let other = try PlanExpander.expand(try campaign(seed: 43), targets: Self.targets)
        #expect(first == again)
        #expect(first != other)
        #expect(first.faults.count == 3 + 1 + 3)
    }

    // Repeats stay within ± jitter of their slots, in start order, numbered from 1.
    @Test func expandsRepeats() throws {
        let plan = try PlanExpander.expand(try campaign(seed: 7), targets: Self.targets)
        let pauses = plan.faults.filter { $0.origin.hasPrefix("timeline[0]") }
        for (index, fault) in pauses.enumerated() {
            let slot = Duration.seconds(5 + 10 * index)
            #expect(fault.at >= slot - .seconds(1) && fault.at <= slot + .seconds(1))
            #expect(fault.duration == .seconds(2))
        }
        #expect(plan.faults.map(\.index) == Array(1...plan.faults.count))
        #expect(plan.faults.map(\.at) == plan.faults.map(\.at).sorted())
        let chaos = plan.faults.filter { $0.origin.hasPrefix("chaos") }
        #expect(chaos.allSatisfy { $0.at >= .seconds(40) && $0.at <= .seconds(80) && $0.container.name.hasPrefix("shop_web_") })
        #expect(chaos.allSatisfy { ($0.duration ?? .zero) >= .seconds(1) && ($0.duration ?? .zero) <= .seconds(2) })
    }

    // A plan touching more containers than the blast radius is refused, naming them.
    @Test func enforcesBlastRadius() throws {
        var campaign = try campaign(seed: 1)
        campaign.settings.blastRadius = 1
        do {
            _ = try PlanExpander.expand(campaign, targets: Self.targets)
            Issue.record("plan accepted")
        } catch {
            #expect(error.description.contains("blast_radius allows 1"))
        }
    }

    // Two overlapping faults of one kind on one container are refused.
    @Test func refusesOverlaps() throws {
        let campaign = try CampaignParser.parse("""
        name: overlap
        targets: { db: { name: shop_db_1 } }
        timeline:
          - { at: 1s, fault: { pause: { target: db } }, for: 5s }
          - { at: 3s, fault: { pause: { target: db } }, for: 1s }
        """, file: "o.yaml")
        #expect(throws: PlanError.self) { try PlanExpander.expand(campaign, targets: Self.targets) }
    }

    // Selectors match by name, regex, labels and compose labels; protected containers never match;
    // an empty selection is an error with a suggestion.
    @Test func matchesTargets() throws {
        func summary(_ id: String, _ name: String, _ labels: [String: String]) throws -> ContainerSummary {
            let labelJSON = String(decoding: try JSONEncoder().encode(labels), as: UTF8.self)
            return try JSONDecoder().decode(ContainerSummary.self, from: Data(#"{"Id":"\#(id)","Names":["/\#(name)"],"Image":"x","State":"running","Status":"","Labels":\#(labelJSON)}"#.utf8))
        }
        let containers = [
            try summary("a", "shop_db_1", ["com.docker.compose.project": "shop", "com.docker.compose.service": "db"]),
            try summary("b", "shop_web_1", ["tier": "web"]),
            try summary("c", "vault", ["tier": "web", "faultline.protect": "true"]),
        ]
        let matcher = TargetMatcher(ownContainerID: nil)
        let resolved = try matcher.resolve([
            TargetSelector(name: "db", match: .compose(project: "shop", service: "db")),
            TargetSelector(name: "web", match: .labels(["tier=web"])),
            TargetSelector(name: "re", match: .nameRegex("shop_.*")),
        ], among: containers)
        #expect(resolved["db"]?.map(\.name) == ["shop_db_1"])
        #expect(resolved["web"]?.map(\.name) == ["shop_web_1"])
        #expect(resolved["re"]?.map(\.name) == ["shop_db_1", "shop_web_1"])
        do {
            _ = try matcher.resolve([TargetSelector(name: "x", match: .name("shop_db"))], among: containers)
            Issue.record("empty selection accepted")
        } catch {
            #expect(error.description.contains("did you mean 'shop_db_1'"))
        }
    }
}
