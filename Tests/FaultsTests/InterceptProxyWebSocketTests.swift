import FaultlineSupport
@testable import Faults
import Fixtures
import Foundation
import Glibc
import Synchronization
import Testing

/// The websocket fault's proxy in this process, in front of a scripted WebSocket server on
/// loopback: the server sends its messages after the upgrade and records what the client sends;
/// the client reads frames back. What arrives on each side shows what the fault did.
@Suite struct InterceptProxyWebSocketTests {
    /// A WebSocket server for one connection: answers the upgrade with 101, sends `script` (20 ms
    /// apart), and records the upgrade request and every frame the client sends.
    final class ScriptedServer: Sendable {
        let port: UInt16
        let upgrade = Mutex("")
        let received = Mutex<[WebSocketFrame]>([])

        init(script: [String]) throws {
            let listener = try HelperSocket.bound(Int32(SOCK_STREAM.rawValue), host: "127.0.0.1", port: 0)
            port = UInt16(bigEndian: HelperSocket.localAddress(of: listener).sin_port)
            Thread.detachNewThread { [self] in
                let connection = accept(listener, nil, nil)
                close(listener)
                guard connection >= 0 else { return }
                defer { close(connection) }
                var pending: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 16384)
                while HTTPRequestHead.endIndex(in: pending) == nil {
                    let count = read(connection, &buffer, buffer.count)
                    guard count > 0 else { return }
                    pending += buffer[0..<count]
                }
                let end = HTTPRequestHead.endIndex(in: pending)!
                upgrade.withLock { $0 = String(decoding: pending[..<end], as: UTF8.self) }
                pending.removeFirst(end)
                _ = HelperSocket.writeAll(connection, Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8))
                for message in script {
                    _ = HelperSocket.writeAll(connection, WebSocketFrame(fin: true, reserved: 0, opcode: 1, mask: nil, payload: Array(message.utf8)).encoded)
                    Thread.sleep(forTimeInterval: 0.02)
                }
                while true {
                    while let (frame, length) = WebSocketFrame.parse(pending) {
                        received.withLock { $0.append(frame) }
                        pending.removeFirst(length)
                    }
                    let count = read(connection, &buffer, buffer.count)
                    guard count > 0 else { return }
                    pending += buffer[0..<count]
                }
            }
        }
    }

    static let script = [#"{"type":"started","seq":1}"#, #"{"type":"progress","seq":2}"#, #"{"type":"progress","seq":3}"#, #"{"type":"completed","seq":4}"#]

    /// A proxy for the websocket fault `given`, in front of a scripted server; and a client that upgraded through it.
    func connect(_ given: [(key: String, texts: [String])]) async throws -> (server: ScriptedServer, client: RawTCPClient) {
        let parameters = try WebSocketParameters.read([("port", ["8000"])] + given)
        let server = try ScriptedServer(script: Self.script)
        let proxy = InterceptProxy(port: 0, behaviour: .websocket(parameters), lifetime: .seconds(8), upstream: ("127.0.0.1", server.port))
        let client = try RawTCPClient(port: Int(try await proxy.startedForTests()))
        client.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
        return (server, client)
    }

    /// The 101 head, then the frames that arrive within `timeout` (or until the connection ends).
    func frames(_ client: RawTCPClient, timeout: Duration = .seconds(1)) -> (head: String, frames: [WebSocketFrame], end: RawTCPClient.End) {
        let (bytes, end) = client.readBytes(timeout: timeout)
        guard let headEnd = HTTPRequestHead.endIndex(in: bytes) else { return (String(decoding: bytes, as: UTF8.self), [], end) }
        return (String(decoding: bytes[..<headEnd], as: UTF8.self), Self.frames(in: Array(bytes[headEnd...])), end)
    }

    static func frames(in bytes: [UInt8]) -> [WebSocketFrame] {
        var rest = bytes, frames: [WebSocketFrame] = []
        while let (frame, length) = WebSocketFrame.parse(rest) {
            frames.append(frame)
            rest.removeFirst(length)
        }
        return frames
    }

    func texts(_ frames: [WebSocketFrame]) -> [String] { frames.filter { $0.opcode == 1 }.map { String(decoding: $0.payload, as: UTF8.self) } }

    // drop: the server's progress messages never arrive; the others do, in order. The upgrade
    // reached the server without its compression offer, so the messages stay readable.
    @Test func dropsTheMatchingMessages() async throws {
        let (server, client) = try await connect([("field", ["type=progress"]), ("action", ["drop"])])
        let got = frames(client)
        #expect(got.head.hasPrefix("HTTP/1.1 101"))
        #expect(texts(got.frames) == [Self.script[0], Self.script[3]])
        let upgrade = server.upgrade.withLock { $0 }
        #expect(upgrade.contains("Sec-WebSocket-Key:") && !upgrade.lowercased().contains("sec-websocket-extensions"), "\(upgrade)")
    }

    // duplicate the first matching one only; reorder: the matched one after the next.
    @Test func duplicatesAndReorders() async throws {
        let (_, duplicating) = try await connect([("field", ["type=progress"]), ("first", ["1"]), ("action", ["duplicate"])])
        #expect(texts(frames(duplicating).frames) == [Self.script[0], Self.script[1], Self.script[1], Self.script[2], Self.script[3]])
        let (_, reordering) = try await connect([("field", ["type=started"]), ("action", ["reorder"])])
        #expect(texts(frames(reordering).frames) == [Self.script[1], Self.script[0], Self.script[2], Self.script[3]])
    }

    // corrupt: invalid UTF-8 in front, or the JSON cut short; delay: the matched one (and what follows) later.
    @Test func corruptsAndDelays() async throws {
        let (_, utf8) = try await connect([("field", ["seq=4"]), ("action", ["corrupt"]), ("corrupt", ["invalid-utf8"])])
        let last = try #require(frames(utf8).frames.last)
        #expect(Array(last.payload.prefix(2)) == [0xc3, 0x28] && String(validating: last.payload, as: UTF8.self) == nil)
        let (_, json) = try await connect([("field", ["type=completed"]), ("action", ["corrupt"])])
        let cut = try #require(texts(frames(json).frames).last)
        #expect(Self.script[3].hasPrefix(cut) && cut.count < Self.script[3].count && (try? JSONSerialization.jsonObject(with: Data(cut.utf8))) == nil)
        let (_, delayed) = try await connect([("field", ["type=completed"]), ("action", ["delay"]), ("delay", ["500ms"])])
        #expect(texts(frames(delayed, timeout: .milliseconds(350)).frames) == Array(Self.script.prefix(3)))
        #expect(texts(Self.frames(in: delayed.readBytes(timeout: .seconds(1)).bytes)) == [Self.script[3]])
    }

    // close: the matched message arrives, then a close frame with the code, on both sides; the connection ends.
    @Test func closesAfterTheMatchingMessage() async throws {
        let (server, client) = try await connect([("field", ["type=progress"]), ("first", ["1"]), ("action", ["close"]), ("close-code", ["1012"])])
        let got = frames(client)
        #expect(texts(got.frames) == [Self.script[0], Self.script[1]])
        let close = try #require(got.frames.last)
        #expect(close.opcode == WebSocketFrame.close && close.mask == nil && Array(close.payload.prefix(2)) == [0x03, 0xf4])
        #expect(got.end == .closed || got.end == .reset)
        try await Task.sleep(for: .milliseconds(100))
        let toServer = try #require(server.received.withLock { $0.last })
        #expect(toServer.opcode == WebSocketFrame.close && toServer.mask != nil && Array(toServer.payload.prefix(2)) == [0x03, 0xf4])
    }

    // from client: the client's matching messages never reach the server (masked frames read and
    // passed on as they came); the server's messages arrive untouched.
    @Test func actsOnTheClientsMessages() async throws {
        let (server, client) = try await connect([("from", ["client"]), ("field", ["type=ping"]), ("action", ["drop"])])
        #expect(texts(frames(client, timeout: .milliseconds(300)).frames) == Self.script)
        for message in [#"{"type":"ping"}"#, #"{"type":"hello"}"#] {
            client.send(bytes: WebSocketFrame(fin: true, reserved: 0, opcode: 1, mask: [9, 8, 7, 6], payload: Array(message.utf8)).encoded)
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.received.withLock { $0 }.map { String(decoding: $0.payload, as: UTF8.self) } == [#"{"type":"hello"}"#])
    }

    // A server that hangs up before answering the upgrade: the client's connection ends at once (a
    // reset), it does not wait on a response direction that never started.
    @Test func endsAtOnceWhenTheServerHangsUpOnTheUpgrade() async throws {
        let listener = try HelperSocket.bound(Int32(SOCK_STREAM.rawValue), host: "127.0.0.1", port: 0)
        let serverPort = UInt16(bigEndian: HelperSocket.localAddress(of: listener).sin_port)
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            close(listener)
            if connection >= 0 { close(connection) }
        }
        let parameters = try WebSocketParameters.read([("port", ["8000"]), ("action", ["drop"])])
        let proxy = InterceptProxy(port: 0, behaviour: .websocket(parameters), lifetime: .seconds(8), upstream: ("127.0.0.1", serverPort))
        let client = try RawTCPClient(port: Int(try await proxy.startedForTests()))
        client.send("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        let result = client.read(timeout: .seconds(3))
        #expect(result.text.isEmpty && (result.end == .reset || result.end == .closed), "\(result)")
    }

    // Frames are read and written back exactly (lengths of 7, 16 and 64 bits; masked and not).
    @Test func framesRoundTrip() throws {
        for size in [0, 125, 126, 65535, 65536] {
            for mask in [nil, [UInt8(1), 2, 3, 4]] {
                let frame = WebSocketFrame(fin: true, reserved: 0, opcode: 2, mask: mask, payload: (0..<size).map { UInt8($0 & 0xff) })
                let encoded = frame.encoded
                let parsed = try #require(WebSocketFrame.parse(encoded + [0x81]))
                #expect(parsed.frame == frame && parsed.length == encoded.count)
                #expect(WebSocketFrame.parse(Array(encoded.dropLast())) == nil)
            }
        }
    }
}
