import Campaign
@testable import FaultlineCLI
import Testing

/// How a coordinator reaches a node's agent from the fleet file: unix sockets, https only with
/// the fleet's mutual-TLS files, plain http only on loopback; every refusal names the node and file.
@Suite struct NodeAgentTests {
    static func fleet(_ agent: String, tls: Bool = false) throws -> FleetDescription {
        try FleetDescription.parse("""
            \(tls ? "tls: { ca: ca.pem, cert: c.pem, key: c.key }" : "")
            nodes:
              edge-1: { engine: unix:///x.sock, agent: "\(agent)" }
            """, file: "/srv/fleet.yaml")
    }

    static func refusal(_ agent: String, tls: Bool = false) throws -> String? {
        do {
            _ = try NodeAgent(node: "edge-1", in: try fleet(agent, tls: tls))
            return nil
        } catch {
            return "\(error)"
        }
    }

    // https without the fleet's tls, and http beyond loopback, are refused in one line; the rest is taken.
    @Test func refusesAgentsItCannotReachSafely() throws {
        #expect(try Self.refusal("https://10.0.0.11:7441")?.contains("takes mutual TLS: add `tls: { ca: CA.pem") == true)
        #expect(try Self.refusal("https://10.0.0.11:7441", tls: true) == nil)
        #expect(try Self.refusal("http://10.0.0.11:7441")?.contains("beyond loopback without TLS") == true)
        #expect(try Self.refusal("http://127.0.0.1:7441") == nil)
        #expect(try Self.refusal("http://[::1]:7441") == nil)
        #expect(try Self.refusal("unix:///run/faultline/daemon.sock") == nil)
        #expect(try Self.refusal("ftp://x")?.contains("neither unix:///PATH nor http(s)://HOST:PORT") == true)
        #expect(throws: (any Error).self) { try NodeAgent(node: "edge-9", in: try Self.fleet("unix:///x")) }
    }

    // The host of an agent URL, as loopback is judged on it.
    @Test func readsTheHostOfAnAgentURL() {
        #expect(NodeAgent.host(of: "http://10.0.0.5:7441/") == "10.0.0.5")
        #expect(NodeAgent.host(of: "http://[::1]:7441") == "::1")
        #expect(NodeAgent.host(of: "http://localhost") == "localhost")
        #expect(NodeAgent.host(of: "http://127.0.0.1.attacker.example:80") == "127.0.0.1.attacker.example")
    }
}
