@testable import DockerEngine
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
    @Test(arguments: ["ssh://host", "unix://relative.sock", "tcp://host:99999", "tcp://:80", "npipe:////./pipe/docker"])
    func refusesBadAddresses(text: String) {
        #expect(throws: EngineEndpointError.self) { try EngineEndpoint.parse(text) }
    }

    // An unset or empty DOCKER_HOST means the default socket; TLS is refused clearly.
    @Test func readsEnvironment() throws {
        #expect(try EngineEndpoint.fromEnvironment([:]) == .local)
        #expect(try EngineEndpoint.fromEnvironment(["DOCKER_HOST": ""]) == .local)
        #expect(try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2375"]).transport == .tcp(host: "127.0.0.1", port: 2375))
        #expect(throws: EngineEndpointError.self) {
            try EngineEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1"])
        }
    }

    // Requests go to a placeholder host over the socket, or to the address over TCP.
    @Test func buildsBaseURLs() throws {
        #expect(EngineEndpoint.local.baseURL == "http://engine")
        #expect(try EngineEndpoint.parse("tcp://[::1]:2376").baseURL == "http://[::1]:2376")
    }
}
