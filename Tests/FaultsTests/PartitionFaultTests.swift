import DockerEngine
@testable import Faults
import TestSupport
import Testing

@Suite struct PartitionFaultTests {
    static let id = "abcdef0123456789"

    func fake() -> FakeEngine {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: Self.id, name: "db", networks: [
            "backend": EndpointSettings(ipamConfig: EndpointIPAMConfig(ipv4Address: "10.9.0.5"),
                                        aliases: ["db", "abcdef012345"], networkID: "net-backend"),
            "bridge": EndpointSettings(ipamConfig: EndpointIPAMConfig(), aliases: nil, networkID: "net-bridge"),
        ]))
        return fake
    }

    // Every network is cut; the revert reconnects each with its aliases (not the short id) and static address.
    @Test func cutsAndRestoresAll() async throws {
        let fake = fake()
        let prepared = try await PartitionFault().prepare(try await fake.inspectContainer(Self.id), in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(try await fake.inspectContainer(Self.id).networkSettings.networks?.isEmpty == true)
        #expect(try await prepared.revert.apply(in: fake.environment) == .restored)
        let connects = fake.calls.filter { $0.hasPrefix("connect") }
        #expect(connects == ["connect net-backend \(Self.id) aliases=[\"db\"] ip=10.9.0.5",
                             "connect net-bridge \(Self.id) aliases=[] ip=-"])
        #expect(try await prepared.revert.apply(in: fake.environment) == .alreadyClear("already connected to every network"))
    }

    // Only the named network is cut; an unknown one is refused, naming the networks the container is on.
    @Test func cutsNamedNetwork() async throws {
        let fake = fake()
        let target = try await fake.inspectContainer(Self.id)
        let prepared = try await PartitionFault(networks: ["backend"]).prepare(target, in: fake.environment)
        try await prepared.inject(fake.environment)
        #expect(fake.calls.filter { $0.hasPrefix("disconnect") } == ["disconnect net-backend \(Self.id)"])
        do {
            _ = try await PartitionFault(networks: ["frontend"]).prepare(target, in: fake.environment)
            Issue.record("unknown network accepted")
        } catch let error as FaultError {
            #expect(error.description.contains("it is on: backend, bridge"))
        }
    }

    // Host-network containers cannot be partitioned by disconnecting.
    @Test func refusesHostNetwork() async throws {
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "h", name: "hostnet", networkMode: "host"))
        await #expect(throws: FaultError.self) {
            try await PartitionFault().prepare(try await fake.inspectContainer("h"), in: fake.environment)
        }
    }
}
