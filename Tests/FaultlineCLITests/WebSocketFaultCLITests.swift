import DockerEngine
@testable import Faults
import Fixtures
import Foundation
import TestSupport
import Testing

/// `faultline inject websocket` against the WebSocket test server in a container, reached from
/// this host through its published port: the fault on the connections the server accepts drops
/// its `progress` messages; afterwards the container is exactly as before.
@Suite(.serialized) struct WebSocketFaultCLITests {
    /// Upgrades a new connection to the server, asks it to `start`, and returns the types of the
    /// messages that arrive within a second.
    func startAndListen(port: Int) throws -> [String] {
        let client = try RawTCPClient(port: port)
        client.send("GET / HTTP/1.1\r\nHost: ws\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        client.send(bytes: WebSocketFrame(fin: true, reserved: 0, opcode: 1, mask: [1, 2, 3, 4], payload: Array(#"{"type":"start"}"#.utf8)).encoded)
        let (bytes, _) = client.readBytes(timeout: .seconds(1))
        guard let headEnd = HTTPRequestHead.endIndex(in: bytes), String(decoding: bytes[..<headEnd], as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            return ["no upgrade: " + String(decoding: bytes, as: UTF8.self)]
        }
        var rest = Array(bytes[headEnd...]), types: [String] = []
        while let (frame, length) = WebSocketFrame.parse(rest) {
            rest.removeFirst(length)
            let message = try? JSONSerialization.jsonObject(with: Data(frame.payload)) as? [String: Any]
            types.append(message?["type"] as? String ?? "?")
        }
        return types
    }

    // inbound, from the server, type=progress, drop: started and completed arrive, no progress;
    // after the window every message arrives again and nothing of the fault is left.
    @Test func dropsTheServersMatchingMessages() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.websocket), engine: engine) { server in
            let port = try await TestServers.publishedPort(.websocket, of: server.id, engine: engine)
            var before: [String] = []
            for _ in 0..<50 where before != ["started", "progress", "progress", "completed"] {
                before = (try? startAndListen(port: port)) ?? []
                if before.count < 4 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(before == ["started", "progress", "progress", "completed"])
            let snapshot = try await ContainerSnapshot.take(server.id, engine: engine)
            let stateDir = temporaryPath("faultline-ws-")
            let child = try FaultlineProcess(["inject", "websocket", server.name, "--port", "8765", "--direction", "inbound", "--field", "type=progress",
                                              "--action", "drop", "--for", "4s", "--state-dir", stateDir])
            try await child.waitFor("injected")
            #expect(try startAndListen(port: port) == ["started", "completed"])
            #expect(try await child.waitForExit() == 0, "\(child.text)")
            #expect(try startAndListen(port: port) == ["started", "progress", "progress", "completed"])
            let after = try await ContainerSnapshot.take(server.id, engine: engine)
            #expect(after == snapshot, "before: \(snapshot)\nafter: \(after)")
        }
    }

    // Bad input changes nothing: an option of another action, a field without its value.
    @Test func badInputIsRefused() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "ws-bad"), engine: engine) { container in
            let delay = try await FaultlineProcess.run(["inject", "websocket", container.name, "--port", "8765", "--action", "drop", "--delay", "1s", "--for", "2s"])
            #expect(delay.status == 2 && delay.stderr.contains("--delay goes with action delay"), "\(delay.stderr)")
            let field = try await FaultlineProcess.run(["inject", "websocket", container.name, "--port", "8765", "--action", "drop", "--field", "type", "--for", "2s"])
            #expect(field.status == 2 && field.stderr.contains("'dotted.path=value'"), "\(field.stderr)")
            let action = try await FaultlineProcess.run(["inject", "websocket", container.name, "--port", "8765", "--action", "explode", "--for", "2s"])
            #expect(action.status == 2 && action.stderr.contains("drop, delay, duplicate, reorder, corrupt, close"), "\(action.stderr)")
        }
    }
}
