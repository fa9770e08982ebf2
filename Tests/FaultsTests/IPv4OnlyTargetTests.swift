import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

/// The faults whose rules are iptables (IPv4) rules refuse a container with IPv6 addresses, whose
/// IPv6 traffic they would leave unfaulted; loopback and link-local addresses do not count.
@Suite struct IPv4OnlyTargetTests {
    static let linkLocalOnly = """
        00000000000000000000000000000001 01 80 10 80       lo
        fe8000000000000000000000000000aa 02 40 20 80     eth0
        """
    static let global = linkLocalOnly + "\n20010db8000000000000000000000005 02 40 00 80     eth0\n"

    @Test func readsTheGlobalAddresses() {
        #expect(NamespaceTarget.globalIPv6Addresses(Self.global) == ["2001:db8::5 on eth0"])
        #expect(NamespaceTarget.globalIPv6Addresses(Self.linkLocalOnly).isEmpty)
        #expect(NamespaceTarget.globalIPv6Addresses("garbage\n").isEmpty)
    }

    // Each such kind refuses in one line naming the address and what to use instead, and nothing is
    // applied; a namespace with link-local addresses only, or without IPv6, is a target as before.
    @Test(arguments: [[("loss", ["probability": ["0.5"]])], [("blackhole", ["ports": ["80"]])], [("packet", ["delay": ["10ms"]])],
                      [("partition", ["peers": ["10.0.0.9"]])], [("http", ["port": ["80"], "status": ["503"]])]])
    func refusesAContainerWithIPv6(_ given: [(String, [String: [String]])]) async throws {
        let (kindName, texts) = given[0]
        let fake = FakeEngine()
        fake.add(FakeEngine.details(id: "c1", name: "api", pid: 77))
        fake.processes.state.withLock { $0.cgroups[77] = ["/fake/cpu/77"] }
        let kind = try #require(FaultKind(rawValue: kindName))
        let action = try kind.definition.read(texts.map { ($0.key, $0.value) }).action(hasWindow: true)
        fake.files.state.withLock { $0.texts["/proc/77/net/if_inet6"] = Self.global }
        await #expect {
            _ = try await action.prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5))
        } throws: { "\($0)".contains("it has IPv6 addresses (2001:db8::5 on eth0)") && "\($0)".contains("iptables (IPv4)") }
        #expect(fake.namespaces.state.withLock { $0.rules.isEmpty } && fake.processes.hogs.isEmpty)
        fake.files.state.withLock { $0.texts["/proc/77/net/if_inet6"] = Self.linkLocalOnly }
        _ = try await action.prepare(try await fake.inspectContainer("c1"), in: fake.environment, window: .seconds(5))
    }
}
