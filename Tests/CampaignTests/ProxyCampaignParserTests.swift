@testable import Campaign
import Faults
import Testing

/// The `proxies` section and `toxic` windows in campaign files.
@Suite struct ProxyCampaignParserTests {
    static let valid = """
    name: slow-link
    proxies:
      backend-link: { listen: 18000, upstream: "127.0.0.1:8000" }
    probes:
      - name: api
        tcp: { host: 127.0.0.1, port: 18000 }
    timeline:
      - at: 1s
        fault: { toxic: { proxy: backend-link, toxics: ["latency=2s,jitter=100ms", "reset_peer=500ms,stream=upstream,toxicity=0.5"] } }
        for: 5s
    """

    func error(_ text: String) -> String {
        do {
            _ = try CampaignParser.parse(text, file: "bad.yaml")
            return "accepted"
        } catch {
            return error.description
        }
    }

    // A proxies-only campaign needs no targets; the toxic window names its proxy and toxics, and the
    // plan names the proxy where container faults name a container (not counted as one).
    @Test func readsProxiesAndToxicWindows() throws {
        let campaign = try CampaignParser.parse(Self.valid, file: "ok.yaml")
        #expect(campaign.targets.isEmpty)
        #expect(campaign.proxies == [ProxyDefinition(name: "backend-link", listenHost: "127.0.0.1", listenPort: 18000,
                                                     upstreamHost: "127.0.0.1", upstreamPort: 8000)])
        let fault = try #require(campaign.timeline.first?.fault)
        #expect(fault.kind == .toxic && (fault.parameters as? ToxicParameters)?.proxy == "backend-link" && (fault.parameters as? ToxicParameters)?.toxics.count == 2)
        #expect(fault.summary == "toxic latency=2s,jitter=100ms + reset_peer=500ms,stream=upstream,toxicity=0.5")
        let plan = try PlanExpander.expand(campaign, targets: [:])
        #expect(plan.faults.map(\.container.name) == ["proxy:backend-link"])
        #expect(plan.containers.isEmpty)
    }

    // Every mistake is located and names what is allowed.
    @Test(arguments: [
        ("proxy: backend-link", "proxy: backend-lnk", "bad.yaml:9:30: timeline[0].fault.toxic.proxy: unknown proxy 'backend-lnk'; did you mean 'backend-link'? (proxies: backend-link)"),
        ("\"latency=2s,jitter=100ms\"", "\"latncy=2s\"", "timeline[0].fault.toxic.toxics[0]: unknown toxic 'latncy'; did you mean 'latency'?"),
        ("\"latency=2s,jitter=100ms\"", "\"latency=2s,strem=up\"", "timeline[0].fault.toxic.toxics[0]: latency takes no 'strem' (options: stream, toxicity, jitter)"),
        ("\"latency=2s,jitter=100ms\"", "\"reset_peer,stream=upstream\"", "two reset_peer toxics on the upstream stream: give one"),
        ("listen: 18000", "listen: 99999", "proxies.backend-link.listen: '99999' is not [HOST:]PORT with a port 1-65535"),
        ("upstream: \"127.0.0.1:8000\"", "upstream: \"8000\"", "proxies.backend-link.upstream: '8000' is not HOST:PORT"),
        ("listen: 18000, ", "", "proxies.backend-link: a proxy needs 'listen'"),
        ("    for: 5s", "", "timeline[0]: toxic needs 'for'"),
        ("toxics: [", "toxic: [", "unknown key 'toxic'; did you mean 'toxics'?"),
    ])
    func locatesMistakes(original: String, replacement: String, expected: String) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        let message = error(text)
        #expect(message.contains(expected), "\(message)")
    }

    // Toxic windows need a defined proxy, never go in chaos mode, and `inject` is for containers.
    @Test func refusesToxicsWithoutAProxy() {
        let withoutProxies = """
        name: x
        targets:
          db: { name: postgres }
        timeline:
          - { at: 1s, fault: { toxic: { proxy: link, toxics: [timeout] } }, for: 2s }
        """
        #expect(error(withoutProxies).contains("no proxies are defined: add a 'proxies' section"))
        let chaos = """
        name: x
        targets:
          db: { name: postgres }
        chaos: { faults: [toxic], targets: [db], count: 2, between: [1s, 5s], duration: [1s, 2s] }
        """
        #expect(error(chaos).contains("toxic acts on a campaign proxy, not on a chaos target: give it in the timeline"))
        #expect(error("name: x\n").contains("missing 'targets'"))
    }
}

/// N-way partitions: `{ partition: { groups: [[a, b], [c]] } }`.
@Suite struct PartitionGroupTests {
    static func campaign(_ fault: String) -> String {
        """
        name: split
        targets:
          api: { name: api }
          cache: { name: cache }
          db: { name_regex: "^db" }
        timeline:
          - { at: 1s, fault: \(fault), for: 3s }
        """
    }

    // Every container of a group gets a two-way partition from every container of the other groups
    // (selectors expand to all their containers), and none from its own group.
    @Test func expandsIntoOnePeerPartitionPerContainer() throws {
        let campaign = try CampaignParser.parse(Self.campaign("{ partition: { groups: [[api, cache], [db]] } }"), file: "ok.yaml")
        #expect(campaign.timeline[0].fault.summary == "partition api,cache | db")
        let targets: [String: [PlannedTarget]] = [
            "api": [.init(id: "a", name: "api")], "cache": [.init(id: "c", name: "cache")],
            "db": [.init(id: "d1", name: "db1"), .init(id: "d2", name: "db2")],
        ]
        let plan = try PlanExpander.expand(campaign, targets: targets)
        let peers = Dictionary(uniqueKeysWithValues: plan.faults.map { ($0.container.name, ($0.fault.parameters as? PartitionParameters)?.peers ?? []) })
        #expect(peers == ["api": ["db1", "db2"], "cache": ["db1", "db2"], "db1": ["api", "cache"], "db2": ["api", "cache"]])
        #expect(plan.faults.allSatisfy { $0.fault.kind == .partition && ($0.fault.parameters as? PartitionParameters)?.direction == .both && $0.at == .seconds(1) && $0.duration == .seconds(3) })
        #expect(plan.containers.count == 4)
        #expect(plan.faults.allSatisfy { $0.fault.action(hasWindow: true) is PeerPartitionFault })
    }

    // Located refusals: one group, an unknown target, a target in two groups, groups with a target.
    @Test(arguments: [
        ("{ partition: { groups: [[api, cache, db]] } }", "give at least two groups"),
        ("{ partition: { groups: [[api, cahe], [db]] } }", "timeline[0].fault.partition.groups[0][1]: unknown target 'cahe'; did you mean 'cache'?"),
        ("{ partition: { groups: [[api, db], [db]] } }", "target 'db' is in two groups"),
        ("{ partition: { target: api, groups: [[api], [db]] } }", "groups name every target themselves; leave out 'target'"),
    ])
    func refusesBadGroups(fault: String, expected: String) {
        do {
            _ = try CampaignParser.parse(Self.campaign(fault), file: "bad.yaml")
            Issue.record("accepted \(fault)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
