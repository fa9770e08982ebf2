import DockerEngine
@testable import Faults
import TestSupport
import Testing

@Suite struct NetworkFaultTests {
    func fake(networkMode: String = "default") -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77, networkMode: networkMode))
        var endpoint = EndpointSettings()
        endpoint.ipAddress = "172.30.0.5"
        fake.add(FakeEngine.details(id: "c2", name: "db", pid: 78, networks: ["shop": endpoint]))
        return fake
    }

    // loss: one marked rule per chain (loopback exempt), inserted first; the revert deletes exactly
    // those, and a second revert finds nothing left.
    @Test func lossAddsMarkedRulesAndRemovesExactlyThem() async throws {
        let fake = fake()
        fake.namespaces.state.withLock { $0.rules = [["INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"]] }  // was there before
        let prepared = try await LossFault(probability: 0.3).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        let added = fake.namespaces.rules.filter { $0.contains { $0.hasPrefix("faultline:") } }
        #expect(added.count == 2)
        #expect(Set(added.map { $0[0] }) == ["INPUT", "OUTPUT"])
        #expect(added.allSatisfy { $0.contains("0.3") && $0.contains("statistic") && $0.contains("lo") && $0.last == "DROP" })
        #expect(fake.namespaces.commands.allSatisfy { $0.hasPrefix("77: ") })
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.namespaces.rules == [["INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"]])
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("no rule or qdisc of this fault was left"))
    }

    // A container that restarted since the inject has a new namespace: the revert looks there (pid
    // 99), says so when the rules are gone with the old one, and removes them when the window's
    // keeper applied them again.
    @Test func revertLooksInTheNamespaceOfARestartedContainer() async throws {
        let fake = fake()
        let prepared = try await BlackholeFault(ports: [.init(number: 5432)]).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 99, startedAt: "2026-11-22T01:00:00Z"))
        fake.namespaces.makeAnew()
        let before = fake.namespaces.commands.count
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("container restarted since the inject; its namespace was made anew"))
        #expect(fake.namespaces.commands.dropFirst(before).allSatisfy { $0.hasPrefix("99: ") && $0.contains(" -C ") })
        try await prepared.inject(fake.environment)
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(!fake.namespaces.rules.contains { $0.contains { $0.hasPrefix("faultline:") } })
    }

    // partition from peers: containers resolve to their addresses, CIDRs pass through; one-way
    // outbound only adds OUTPUT rules.
    @Test func peerPartitionResolvesPeers() async throws {
        let fake = fake()
        let both = try await PeerPartitionFault(peers: ["c2", "10.9.0.0/16"]).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        guard case .network(let step) = both.revert else { Issue.record("not a network revert"); return }
        #expect(step.rules.map { "\($0.chain) \($0.match.joined(separator: " "))" } == [
            "INPUT -s 10.9.0.0/16", "OUTPUT -d 10.9.0.0/16", "INPUT -s 172.30.0.5", "OUTPUT -d 172.30.0.5"])
        let outbound = try await PeerPartitionFault(peers: ["c2"], direction: .outbound).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        guard case .network(let oneWay) = outbound.revert else { Issue.record("not a network revert"); return }
        #expect(oneWay.rules.map(\.chain) == ["OUTPUT"])
        await #expect(throws: FaultError.self) {
            _ = try await PeerPartitionFault(peers: ["nosuch"]).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        }
    }

    // bandwidth puts tbf under the reserved handle on every interface but loopback and removes it;
    // a root qdisc faultline did not add is refused, nothing changed.
    @Test func bandwidthShapesAndRefusesForeignQdisc() async throws {
        let fake = fake()
        let prepared = try await ShapingFault(.bandwidth(rate: "1mbit")).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.namespaces.root("eth0") == "qdisc tbf fa17: root refcnt 2")
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        #expect(fake.namespaces.root("eth0") == "qdisc noqueue 0: root refcnt 2")

        fake.namespaces.setRoot("eth0", "qdisc htb 1: root refcnt 2 r2q 10 default 0")
        let before = fake.namespaces.commands.filter { $0.contains(" add ") }.count
        await #expect(throws: FaultError.self) {
            _ = try await ShapingFault(.bandwidth(rate: "1mbit")).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        }
        #expect(fake.namespaces.commands.filter { $0.contains(" add ") }.count == before)
    }

    // Latency on a kernel without netem: asked of netem, one clear line naming the alternative and
    // nothing run in the namespace; otherwise faultline's packet engine delays what the container
    // sends, and the summary says so.
    @Test func latencyWithoutNetemRunsOnThePacketEngine() async throws {
        let fake = fake()
        do {
            _ = try await ShapingFault(.latency(delay: .milliseconds(200), jitter: .zero, mechanism: .netem)).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
            Issue.record("latency by netem accepted without netem")
        } catch let error as FaultError {
            #expect("\(error)".contains("no netem qdisc") && "\(error)".contains("packet-engine"), "\(error)")
        }
        #expect(fake.namespaces.commands.isEmpty)
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77"] }
        let prepared = try await ShapingFault(.latency(delay: .milliseconds(200), jitter: .zero, mechanism: .auto))
            .prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5))
        #expect(prepared.summary == "latency 200ms (no netem here: faultline's packet engine)")
        guard case .steps(let steps) = prepared.revert, case .network(let rules) = steps.first else {
            Issue.record("\(prepared.revert)")
            return
        }
        #expect(rules.rules.map(\.chain) == ["OUTPUT"] && rules.rules.allSatisfy { $0.target == "NFQUEUE" })
    }

    // A rule that fails half-way leaves nothing: the revert removes what was added before it.
    @Test func failedInjectIsUndone() async throws {
        let fake = fake()
        fake.namespaces.failCommands(containing: "-I OUTPUT")
        let prepared = try await LossFault(probability: 0.5).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        await #expect(throws: NetworkFaultError.self) { try await prepared.inject(fake.environment) }
        #expect(fake.namespaces.rules.count == 1)
        fake.namespaces.failCommands(containing: "no-such-command")
        _ = try await prepared.revert.apply(in: fake.environment)
        #expect(fake.namespaces.rules.isEmpty)
    }

    // Containers sharing the host's namespace are refused: rules there would hit the whole machine.
    @Test func refusesHostNetworking() async throws {
        let fake = fake(networkMode: "host")
        await #expect(throws: FaultError.self) {
            _ = try await LossFault(probability: 0.5).prepare(try await fake.inspectContainer("c1"), in: fake.environment)
        }
    }

    // Found by the campaign fuzzer: an empty port text crashed the parser (index out of range).
    @Test func portTextsAreParsedOrRefused() {
        #expect(BlackholeFault.Port.parse("5432") == .init(number: 5432))
        #expect(BlackholeFault.Port.parse("53/UDP") == .init(number: 53, proto: "udp"))
        for bad in ["", "/", "//", "53/", "/udp", "0", "65536", "53/sctp", "53/udp/x", "x"] {
            #expect(BlackholeFault.Port.parse(bad) == nil, "\(bad)")
        }
    }
}
