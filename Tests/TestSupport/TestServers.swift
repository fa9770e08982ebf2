import DockerEngine
import FaultlineSupport
import Foundation

/// Specs of real servers run from the host's binaries in throw-away containers, published on a
/// random 127.0.0.1 port: Redis, PostgreSQL 15, an HTTP server and a WebSocket server.
public enum TestServers {
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case redis, postgres, http, websocket
        public var description: String { rawValue }
    }

    /// The container port each server listens on.
    public static func containerPort(_ kind: Kind) -> String {
        switch kind {
        case .redis: return "6379/tcp"
        case .postgres: return "5432/tcp"
        case .http: return "8080/tcp"
        case .websocket: return "8765/tcp"
        }
    }

    public static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }

    public static func spec(_ kind: Kind) -> TestContainerSpec {
        let publish = [containerPort(kind): ""]
        switch kind {
        case .redis:
            return TestContainerSpec(purpose: "redis", command: HostBinaryServers.redisCommand, publish: publish)
        case .postgres:
            return TestContainerSpec(purpose: "postgres", command: HostBinaryServers.postgresCommand, publish: publish,
                                     user: HostBinaryServers.postgresUser, stopSignal: "SIGINT", tmpfs: HostBinaryServers.postgresTmpfs)
        case .http:
            let script = """
                mkdir -p /srv && printf '{"status":"ok","checks":{"db":"up"}}' > /srv/health.json && cd /srv && exec /usr/bin/python3 -m http.server 8080 --bind 0.0.0.0
                """
            return TestContainerSpec(purpose: "http", command: ["/bin/sh", "-c", script], publish: publish, tmpfs: ["/srv": "rw"])
        case .websocket:
            return TestContainerSpec(purpose: "ws", command: ["/usr/bin/python3", "-u", "/fixtures/ws_server.py", "8765"], publish: publish,
                                     extraBinds: ["\(fixtures):/fixtures:ro"])
        }
    }

    /// Waits until the published port answers a TCP connect and the server had `settle` to get ready.
    public static func publishedPort(_ kind: Kind, of id: String, engine: DockerEngineClient) async throws -> Int {
        for _ in 0..<100 {
            if let port = try await engine.inspectContainer(id).networkSettings.hostPort(for: containerPort(kind)) { return port }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("\(kind) container \(id) has no published port for \(containerPort(kind))")
    }

    /// Waits until the Redis on `port` answers PING.
    public static func awaitRedis(_ port: Int) async throws {
        for _ in 0..<100 {
            let result = try await CommandRunner.run(["/usr/bin/timeout", "1", "/usr/bin/redis-cli", "-p", String(port), "ping"])
            if result.stdout.contains("PONG") { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("redis on \(port) did not answer")
    }
}
