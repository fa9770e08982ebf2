import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

/// The network faults against real containers: the effect is measured (loss rate, bandwidth,
/// blackholed port, partition of named peers only), and after the revert the namespace's iptables
/// rules and root qdiscs are exactly what they were. UDP echo traffic goes only to the test's own
/// containers on its own network.
@Suite(.serialized) struct NetworkFaultIntegrationTests {
    static let echoPort = 9999
    static let namespaces = HostNetworkNamespaces()

    static func echoServer(on network: String) -> TestContainerSpec {
        TestContainerSpec(purpose: "net-echo", command: ["/usr/bin/python3", "-u", "/fixtures/udp_echo.py", "serve", String(echoPort)],
                          networks: [network: []], extraBinds: ["\(TestServers.fixtures):/fixtures:ro"])
    }

    static func address(_ container: ContainerDetails) throws -> String {
        try #require(container.networkSettings.networks?.values.compactMap(\.ipAddress).first { !$0.isEmpty })
    }

    /// Echoes received out of `sent` UDP datagrams, sent from the host or from `pid`'s namespace.
    static func echoes(to host: String, sent: Int = 300, fromNamespaceOf pid: Int? = nil) async throws -> Int {
        let argv = ["/usr/bin/python3", "\(TestServers.fixtures)/udp_echo.py", "count", host, String(echoPort), String(sent)]
        let result = try await CommandRunner.run(pid.map { ["/usr/bin/nsenter", "--target", String($0), "--net", "--"] + argv } ?? argv)
        return try #require(Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(result.stdout) \(result.stderr)")
    }

    static func networkState(_ pid: Int) throws -> String { try NamespaceState.take(pid: pid) }

    static func withEcho<T: Sendable>(_ body: @escaping (DockerEngineClient, FaultInjector, ContainerDetails, String) async throws -> T) async throws -> T {
        let engine = try await TestEngine.client()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: .live(engine: engine, logger: TestEngine.logger), ledger: ledger)
        return try await withTestNetwork(engine: engine) { network in
            try await withTestContainer(echoServer(on: network), engine: engine) { server in
                let address = try address(server)
                // The server is up when it echoes.
                for _ in 0..<50 {
                    if try await echoes(to: address, sent: 5) == 5 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return try await body(engine, injector, server, network)
            }
        }
    }

    // loss 30% outbound: about 70% of the echoes come back (±12 points over 300); after the revert
    // all do, and the namespace is exactly as before.
    @Test func lossDropsAboutTheShareAsked() async throws {
        try await Self.withEcho { _, injector, server, _ in
            let address = try Self.address(server)
            let before = try Self.networkState(server.state.pid)
            let fault = try await injector.inject(LossFault(probability: 0.3, direction: .outbound), on: server, window: .seconds(30))
            let during = try await Self.echoes(to: address)
            #expect((168...252).contains(during), "\(during) of 300 echoes came back with 30% loss")
            #expect(try await injector.revert(fault).result.get() == .restored)
            #expect(try await Self.echoes(to: address) >= 297)
            #expect(try Self.networkState(server.state.pid) == before)
        }
    }

    // blackhole of the echo port inbound: nothing comes back; after the revert everything does.
    @Test func blackholeDropsThePort() async throws {
        try await Self.withEcho { _, injector, server, _ in
            let address = try Self.address(server)
            let before = try Self.networkState(server.state.pid)
            let fault = try await injector.inject(BlackholeFault(ports: [.init(number: Self.echoPort, proto: "udp")]), on: server, window: .seconds(30))
            #expect(try await Self.echoes(to: address, sent: 50) == 0)
            #expect(try await injector.revert(fault).result.get() == .restored)
            #expect(try await Self.echoes(to: address, sent: 50) >= 49)
            #expect(try Self.networkState(server.state.pid) == before)
        }
    }

    // A restart inside the window makes the namespace anew: the keeper applies the same owned rule
    // in the new one (echoes stay blocked), the window records it, and the revert removes it there.
    @Test func blackholeIsKeptAcrossARestartInsideTheWindow() async throws {
        try await Self.withEcho { engine, injector, server, _ in
            let address = try Self.address(server)
            let before = try Self.networkState(server.state.pid)
            let reapplied = LockedBox<[RestartKeeper.Reapply]>([])
            let fault = try await injector.inject(BlackholeFault(ports: [.init(number: Self.echoPort, proto: "udp")]), on: server,
                                                  window: .seconds(30)) { reapply in reapplied.mutate { $0.append(reapply) } }
            try await engine.restartContainer(server.id, timeout: 1)
            let restarted = try await engine.inspectContainer(server.id)
            #expect(restarted.state.pid != server.state.pid)
            var rules = ""
            for _ in 0..<50 where !rules.contains("faultline:") {
                try await Task.sleep(for: .milliseconds(100))
                rules = try Self.namespaces.run(["iptables", "-S", "INPUT"], inNetworkNamespaceOf: restarted.state.pid).output
            }
            #expect(rules.contains("faultline:") && rules.contains("--dport \(Self.echoPort)"), "\(rules)")
            #expect(reapplied.value.count == 1 && reapplied.value.first?.error == nil, "\(reapplied.value)")
            #expect(try await Self.echoes(to: address, sent: 50) == 0)
            #expect(try await injector.revert(fault).result.get() == .restored)
            var back = 0
            for _ in 0..<30 where back < 49 {
                back = try await Self.echoes(to: address, sent: 50)
            }
            #expect(back >= 49)
            #expect(try Self.networkState(restarted.state.pid) == before)
        }
    }

    // partition from one peer: that peer gets no echo, another container on the same network does.
    @Test func partitionDropsOnlyTheNamedPeer() async throws {
        try await Self.withEcho { engine, injector, server, network in
            let address = try Self.address(server)
            try await withTestContainer(.init(purpose: "net-peer-a", networks: [network: []]), engine: engine) { cutOff in
                try await withTestContainer(.init(purpose: "net-peer-b", networks: [network: []]), engine: engine) { other in
                    let before = try Self.networkState(server.state.pid)
                    let fault = try await injector.inject(PeerPartitionFault(peers: [cutOff.name]), on: server, window: .seconds(30))
                    #expect(try await Self.echoes(to: address, sent: 50, fromNamespaceOf: cutOff.state.pid) == 0)
                    #expect(try await Self.echoes(to: address, sent: 50, fromNamespaceOf: other.state.pid) >= 49)
                    #expect(try await injector.revert(fault).result.get() == .restored)
                    #expect(try await Self.echoes(to: address, sent: 50, fromNamespaceOf: cutOff.state.pid) >= 49)
                    #expect(try Self.networkState(server.state.pid) == before)
                }
            }
        }
    }

    // bandwidth 40mbit on what the container sends: a download from it runs at 5 MB/s ±20%; after
    // the revert the qdisc is the default again.
    @Test func bandwidthLimitsTheRate() async throws {
        let engine = try await TestEngine.client()
        let ledger = try FaultLedger(stateDirectory: temporaryStateDirectory())
        let injector = FaultInjector(environment: .live(engine: engine, logger: TestEngine.logger), ledger: ledger)
        try await withTestNetwork(engine: engine) { network in
            let spec = TestContainerSpec(purpose: "net-http", command: ["/usr/bin/python3", "-m", "http.server", "8000", "--directory", "/usr"],
                                         networks: [network: []])
            try await withTestContainer(spec, engine: engine) { server in
                let url = "http://\(try Self.address(server)):8000/bin/python3"
                func speed() async throws -> Double {
                    let result = try await CommandRunner.run(["/usr/bin/curl", "-s", "-o", "/dev/null", "--max-time", "20", "-w", "%{speed_download}", url])
                    return try #require(Double(result.stdout), "curl: \(result.stdout) \(result.stderr)")
                }
                var ready = false
                for _ in 0..<50 where !ready {
                    ready = (try? await speed()) ?? 0 > 0
                    if !ready { try await Task.sleep(for: .milliseconds(100)) }
                }
                let before = try Self.networkState(server.state.pid)
                let fault = try await injector.inject(ShapingFault(.bandwidth(rate: "40mbit")), on: server, window: .seconds(60))
                let limited = try await speed()
                #expect(abs(limited - 5_000_000) <= 1_000_000, "\(Int(limited)) B/s with a 40mbit (5 MB/s) limit")
                #expect(try await injector.revert(fault).result.get() == .restored)
                #expect(try await speed() > 20_000_000)
                #expect(try Self.networkState(server.state.pid) == before)
            }
        }
    }
}
