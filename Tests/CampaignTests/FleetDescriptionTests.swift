@testable import Campaign
import DockerEngine
import FaultlineSupport
import Foundation
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

    // The coordinator's mutual-TLS files and token file, read relative to the fleet file.
    @Test func readsTrust() throws {
        let fleet = try FleetDescription.parse("""
            tls: { ca: certs/ca.pem, cert: /etc/faultline/ci.pem, key: certs/ci.key }
            token_file: token
            nodes:
              edge-1: { engine: unix:///x.sock, agent: "https://10.0.0.11:7441" }
            """, file: "/srv/fleet/fleet.yaml")
        #expect(fleet.tls == TLSFiles(certificate: "/etc/faultline/ci.pem", key: "/srv/fleet/certs/ci.key",
                                      certificateAuthority: "/srv/fleet/certs/ca.pem"))
        #expect(fleet.tokenFile == "/srv/fleet/token")
    }

    @Test(arguments: [
        ("tls: { ca: a.pem, cert: b.pem }\nnodes:\n  a: { engine: unix:///x.sock }", "fleet.yaml:1:6: tls: tls needs ca (the fleet CA's certificate), cert and key"),
        ("tls: { ca: a.pem, cert: b.pem, key: c.key, pass: x }\nnodes:\n  a: { engine: unix:///x.sock }", "unknown key 'pass'"),
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

    /// A docker configuration directory holding contexts the way `docker context create` writes them.
    static func contextStore(_ contexts: [(name: String, host: String, tls: Bool)]) throws -> String {
        let root = NSTemporaryDirectory() + "fl-contexts-" + UUID().uuidString
        for (index, context) in contexts.enumerated() {
            let id = String(repeating: String(index), count: 8)
            let meta = "\(root)/contexts/meta/\(id)"
            try FileManager.default.createDirectory(atPath: meta, withIntermediateDirectories: true)
            let json = #"{"Name":"\#(context.name)","Metadata":{},"Endpoints":{"docker":{"Host":"\#(context.host)","SkipTLSVerify":false}}}"#
            try json.write(toFile: meta + "/meta.json", atomically: true, encoding: .utf8)
            if context.tls {
                let tls = "\(root)/contexts/tls/\(id)/docker"
                try FileManager.default.createDirectory(atPath: tls, withIntermediateDirectories: true)
                for file in ["ca.pem", "cert.pem", "key.pem"] { try "PEM".write(toFile: "\(tls)/\(file)", atomically: true, encoding: .utf8) }
            }
        }
        return root
    }

    // A node may name a docker context instead of an engine address; `default` is the local socket.
    @Test func readsDockerContexts() throws {
        let store = try Self.contextStore([("edge-2", "tcp://10.0.0.12:2375", false), ("edge-3", "unix:///run/edge3.sock", false),
                                           ("secure", "tcp://10.0.0.13:2376", true)])
        let fleet = try FleetDescription.parse("""
            nodes:
              here: { context: default }
              edge-2: { context: edge-2, address: 10.0.0.12 }
              edge-3: { context: edge-3 }
              edge-4: { context: secure }
            """, file: "fleet.yaml", dockerConfig: store)
        let tls = "\(store)/contexts/tls/22222222/docker"
        #expect(fleet.node(named: "edge-4")?.engine == EngineEndpoint(
            transport: .tcp(host: "10.0.0.13", port: 2376),
            tls: TLSFiles(certificate: tls + "/cert.pem", key: tls + "/key.pem", certificateAuthority: tls + "/ca.pem")))
        #expect(fleet.node(named: "here")?.engine == .local)
        #expect(fleet.node(named: "edge-2")?.engine == EngineEndpoint(transport: .tcp(host: "10.0.0.12", port: 2375)))
        #expect(fleet.node(named: "edge-3")?.engine == EngineEndpoint(transport: .unixSocket(path: "/run/edge3.sock")))
    }

    // An unknown context lists the known ones; a TLS context missing a file, or both engine and context, are refused where they are written.
    @Test func locatesContextMistakes() throws {
        let store = try Self.contextStore([("edge-2", "tcp://10.0.0.12:2375", false), ("secure", "tcp://10.0.0.13:2376", true)])
        try FileManager.default.removeItem(atPath: "\(store)/contexts/tls/11111111/docker/key.pem")
        let cases = [
            ("nodes:\n  a: { context: edge-9 }", "fleet.yaml:2:17: nodes.a.context: no docker context 'edge-9' (contexts: default, edge-2, secure)"),
            ("nodes:\n  a: { context: secure }", "fleet.yaml:2:17: nodes.a.context: docker context 'secure': invalid engine address 'tcp://10.0.0.13:2376': TLS: cannot read \(store)/contexts/tls/11111111/docker/key.pem"),
            ("nodes:\n  a: { context: edge-2, engine: unix:///x.sock }", "node 'a': give 'engine' or 'context', not both"),
            ("nodes:\n  a: { address: 10.0.0.1 }", "node 'a' needs 'engine' (unix:///var/run/docker.sock or tcp://HOST:PORT) or 'context' (a docker context)"),
        ]
        for (text, expected) in cases {
            #expect { _ = try FleetDescription.parse(text, file: "fleet.yaml", dockerConfig: store) } throws: { "\($0)".contains(expected) }
        }
    }

    // engine_tls: a DOCKER_CERT_PATH-style directory, relative to the fleet file, for a tcp engine.
    @Test func readsEngineTLS() throws {
        let directory = NSTemporaryDirectory() + "fl-engine-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/edge-3", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for file in ["ca.pem", "cert.pem", "key.pem"] { try "PEM".write(toFile: "\(directory)/edge-3/\(file)", atomically: true, encoding: .utf8) }
        let fleet = try FleetDescription.parse("""
            nodes:
              edge-3: { engine: "tcp://10.0.0.13:2376", engine_tls: edge-3 }
            """, file: directory + "/fleet.yaml")
        let engine = try #require(fleet.node(named: "edge-3")?.engine)
        #expect(engine.tls == TLSFiles(certificate: directory + "/edge-3/cert.pem", key: directory + "/edge-3/key.pem",
                                       certificateAuthority: directory + "/edge-3/ca.pem"))
        #expect(try EngineEndpoint.parse(engine.address) == engine)
        let mistakes = [
            ("nodes:\n  a: { engine: unix:///x.sock, engine_tls: edge-3 }", "fleet.yaml:2:44: nodes.a.engine_tls: engine_tls goes with a tcp:// engine address"),
            ("nodes:\n  a: { engine: \"tcp://10.0.0.1:2376\", engine_tls: nowhere }",
             "nodes.a.engine_tls: invalid engine address 'tcp://10.0.0.1:2376': TLS: cannot read \(directory)/nowhere/ca.pem"),
            ("nodes:\n  a: { engine: \"tcp://10.0.0.1:2376\", engine_tls: edge-3 }\n  b: { engine: \"tcp://10.0.0.1:2376\" }",
             "nodes 'a' and 'b' name the same engine"),
        ]
        for (text, expected) in mistakes {
            #expect { _ = try FleetDescription.parse(text, file: directory + "/fleet.yaml") } throws: { "\($0)".contains(expected) }
        }
    }
}
