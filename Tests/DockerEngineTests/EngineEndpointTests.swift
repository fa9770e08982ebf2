@testable import DockerEngine
import FaultlineSupport
import Foundation
import Testing

@Suite struct EngineEndpointTests {
    // DOCKER_HOST forms the docker CLI accepts map to a transport.
    @Test func parsesAddresses() throws {
        #expect(try EngineEndpoint.parse("unix:///var/run/docker.sock").transport == .unixSocket(path: "/var/run/docker.sock"))
        #expect(try EngineEndpoint.parse("/tmp/d.sock").transport == .unixSocket(path: "/tmp/d.sock"))
        #expect(try EngineEndpoint.parse("tcp://127.0.0.1:2375").transport == .tcp(host: "127.0.0.1", port: 2375))
        #expect(try EngineEndpoint.parse("tcp://localhost").transport == .tcp(host: "localhost", port: 2375))
        #expect(try EngineEndpoint.parse("tcp://[::1]:2376").transport == .tcp(host: "::1", port: 2376))
    }

    // Unknown schemes, relative sockets and bad ports are refused with the expected form.
    @Test(arguments: ["ssh://host", "unix://relative.sock", "tcp://host:99999", "tcp://:80", "npipe:////./pipe/docker", "https://10.0.0.2:2376"])
    func refusesBadAddresses(text: String) {
        #expect(throws: EngineEndpointError.self) { try EngineEndpoint.parse(text) }
    }

    // An https address is spoken to with its TLS files or not at all (never in plain HTTP).
    @Test func httpsNeedsItsFiles() throws {
        #expect { try EngineEndpoint.parse("https://10.0.0.2:2376") } throws: { "\($0)".contains("write tcp://10.0.0.2:2376 with DOCKER_TLS_VERIFY=1") }
        let files = try EngineEndpoint.parse("https://10.0.0.2:2376?tlscacert=/ca.pem&tlscert=/c.pem&tlskey=/k.pem")
        #expect(files.baseURL == "https://10.0.0.2:2376")
    }

    // An unset or empty DOCKER_HOST means the default socket; DOCKER_TLS_VERIFY reads DOCKER_CERT_PATH
    // (default ~/.docker) and names a missing file.
    @Test func readsEnvironment() throws {
        #expect(try EngineEndpoint.fromEnvironment([:]) == .local)
        #expect(try EngineEndpoint.fromEnvironment(["DOCKER_HOST": ""]) == .local)
        #expect(try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2375"]).transport == .tcp(host: "127.0.0.1", port: 2375))
        #expect(try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2375", "DOCKER_TLS_VERIFY": "0"]).tls == nil)
        let certs = try Self.certificateDirectory()
        defer { try? FileManager.default.removeItem(atPath: certs) }
        let secure = try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certs])
        #expect(secure.tls == TLSFiles(certificate: certs + "/cert.pem", key: certs + "/key.pem", certificateAuthority: certs + "/ca.pem"))
        #expect(secure.baseURL == "https://127.0.0.1:2376")
        let home = try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "HOME": certs + "/home"])
        #expect(home.tls?.certificateAuthority == certs + "/home/.docker/ca.pem")
        // A unix socket stays a socket whatever DOCKER_TLS_VERIFY says.
        #expect(try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "unix:///x.sock", "DOCKER_TLS_VERIFY": "1"]).tls == nil)
        try FileManager.default.removeItem(atPath: certs + "/key.pem")
        #expect {
            try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certs])
        } throws: { "\($0)" == "invalid engine address 'tcp://127.0.0.1:2376': TLS: cannot read \(certs)/key.pem (a TLS engine needs ca.pem, cert.pem and key.pem in \(certs))" }
    }

    /// A DOCKER_CERT_PATH-style directory (and one under home/.docker), with placeholder files.
    static func certificateDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "fl-certs-" + UUID().uuidString
        for place in [directory, directory + "/home/.docker"] {
            try FileManager.default.createDirectory(atPath: place, withIntermediateDirectories: true)
            for file in ["ca.pem", "cert.pem", "key.pem"] { try "PEM".write(toFile: "\(place)/\(file)", atomically: true, encoding: .utf8) }
        }
        return directory
    }

    // The address the ledger and the warden keep reads back to the same endpoint, TLS files
    // included, whatever the paths hold; a human description never shows them.
    @Test func addressRoundTripsTLS() throws {
        let awkward = TLSFiles(certificate: "/etc/my certs/a&b=c.pem", key: "/k?#%.key", certificateAuthority: "/ca+1.pem")
        for endpoint in [EngineEndpoint(transport: .tcp(host: "10.0.0.2", port: 2376), tls: awkward),
                         EngineEndpoint(transport: .tcp(host: "::1", port: 2376), tls: awkward),
                         EngineEndpoint(transport: .tcp(host: "h", port: 2375)), .local] {
            #expect(try EngineEndpoint.parse(endpoint.address) == endpoint)
            #expect(!endpoint.description.contains("?"))
        }
    }

    // A TLS query names all three files and nothing else.
    @Test(arguments: ["tcp://h:2376?tlscacert=/a", "tcp://h:2376?tlscacert=/a&tlscert=/b&tlskey=/c&x=1",
                      "tcp://h:2376?tlscacert=&tlscert=/b&tlskey=/c"])
    func refusesIncompleteTLSAddresses(text: String) {
        #expect(throws: EngineEndpointError.self) { try EngineEndpoint.parse(text) }
    }

    // Requests go to a placeholder host over the socket, or to the address over TCP.
    @Test func buildsBaseURLs() throws {
        #expect(EngineEndpoint.local.baseURL == "http://engine")
        #expect(try EngineEndpoint.parse("tcp://[::1]:2376").baseURL == "http://[::1]:2376")
    }
}
