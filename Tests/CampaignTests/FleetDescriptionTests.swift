@testable import Campaign
import DockerEngine
import Testing

/// A fleet file is read strictly: every mistake is one located line, and nothing is half-read.
@Suite struct FleetDescriptionTests {
    @Test func readsNodes() throws {
        let fleet = try FleetDescription.parse("""
            nodes:
              edge-1: { engine: unix:///run/edge1/docker.sock, agent: unix:///run/edge1/faultline.sock, address: 10.0.0.11 }
              edge-2: { engine: "tcp://10.0.0.12:2376" }
            """, file: "fleet.yaml")
        #expect(fleet.nodes.map(\.name) == ["edge-1", "edge-2"])
        #expect(fleet.node(named: "edge-1")?.engine == EngineEndpoint(transport: .unixSocket(path: "/run/edge1/docker.sock")))
        #expect(fleet.node(named: "edge-1")?.agent == "unix:///run/edge1/faultline.sock" && fleet.node(named: "edge-2")?.agent == nil)
    }

    @Test(arguments: [
        ("nodes: {}", "fleet.yaml:1:8: nodes: name at least one node"),
        ("nodes:\n  a: { agent: x }", "fleet.yaml:2:6: nodes.a: node 'a' needs 'engine'"),
        ("nodes:\n  a: { engine: ftp://x }", "nodes.a.engine: invalid engine address 'ftp://x'"),
        ("nodes:\n  a: { engine: unix:///x.sock }\n  b: { engine: unix:///x.sock }", "nodes 'a' and 'b' name the same engine"),
        ("nodes:\n  a: { engine: unix:///x.sock }\n  a: { engine: unix:///y.sock }", "duplicate keys: a"),
        ("nodes:\n  \"a b\": { engine: unix:///x.sock }", "node name 'a b'"),
        ("hosts: {}", "unknown key 'hosts'"),
    ])
    func locatesMistakes(text: String, expected: String) {
        #expect { _ = try FleetDescription.parse(text, file: "fleet.yaml") } throws: { "\($0)".contains(expected) }
    }
}
