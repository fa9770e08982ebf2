import FaultlineSupport
@testable import Faults
import Fixtures
import Foundation
import Glibc
import Testing

/// The http fault's changes to the upstream's responses, through the proxy in this process in front
/// of a server that answers every request with one known response: the client sees exactly what
/// the change made of it (held back, another body, slowed, cut by a close or a reset), and responses
/// to requests the fault did not act on pass byte for byte, also later on the same connection.
@Suite struct InterceptProxyResponseTests {
    static let json = "{\"text\": \"The answer is 42\"}"
    static let sized = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
    static let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n{\"text\":\r\n14\r\n \"The answer is 42\"}\r\n0\r\n\r\n"
    static func get(_ path: String) -> String { "GET \(path) HTTP/1.1\r\nHost: llm\r\n\r\n" }
    /// The first `count` bytes of `text` (a String's prefix counts characters, and CR LF is one).
    static func bytes(_ count: Int, of text: String) -> String { String(decoding: text.utf8.prefix(count), as: UTF8.self) }

    /// Starts a proxy for `given` in front of a server answering `response`; `body` runs with the proxy's port.
    func withProxy(_ given: [(key: String, texts: [String])], response: String, _ body: (UInt16) async throws -> Void) async throws {
        let parameters = try HTTPParameters.read([("port", ["8080"])] + given)
        let listener = try HelperSocket.listener(tcpPort: 0)
        let server = FixedHTTPServer(listener: listener, response: Array(response.utf8))
        defer { server.stop() }
        let serverPort = UInt16(bigEndian: HelperSocket.localAddress(of: listener).sin_port)
        let proxy = InterceptProxy(port: 0, behaviour: .http(parameters.match, parameters.answer), lifetime: .seconds(8), upstream: ("127.0.0.1", serverPort))
        try await body(try await proxy.startedForTests())
    }

    // truncate-after: the head and the first 12 bytes of the body, then the connection closes (the
    // client sees a body shorter than its Content-Length); a request on another path gets it whole.
    @Test func truncatesTheBody() async throws {
        try await withProxy([("path", ["^/v1/"]), ("truncate-after", ["12"])], response: Self.sized) { port in
            let client = try RawTCPClient(port: Int(port))
            client.send(Self.get("/v1/complete"))
            let cut = client.read()
            let expected = Self.bytes(Self.sized.utf8.count - Self.json.utf8.count + 12, of: Self.sized)
            #expect(cut.text == expected && cut.end == .closed, "\(cut)")
            let other = try RawTCPClient(port: Int(port))
            other.send(Self.get("/health"))
            #expect(other.read(Self.sized.utf8.count).text == Self.sized)
        }
    }

    // reset-after on a chunked body: the bytes as sent (chunk framing counts), then a TCP RST.
    @Test func resetsMidBody() async throws {
        try await withProxy([("reset-after", ["5"])], response: Self.chunked) { port in
            let client = try RawTCPClient(port: Int(port))
            client.send(Self.get("/v1/complete"))
            let cut = client.read()
            let headLength = Self.chunked.utf8.count - "8\r\n{\"text\":\r\n14\r\n \"The answer is 42\"}\r\n0\r\n\r\n".utf8.count
            #expect(cut.text == Self.bytes(headLength + 5, of: Self.chunked) && cut.end == .reset, "\(cut)")
        }
    }

    // response-body on a kept-alive connection with two requests sent at once: the first (the only
    // one acted on) gets the replacement with its own Content-Length and no chunking, the second the
    // upstream's chunked response unchanged — the upstream's first body was read to its end.
    @Test func replacesTheBodyAndKeepsTheConnectionInStep() async throws {
        try await withProxy([("first", ["1"]), ("response-body", ["{\"text\": \"The ans"])], response: Self.chunked) { port in
            let client = try RawTCPClient(port: Int(port))
            client.send(Self.get("/v1/a") + Self.get("/v1/b"))
            let replaced = "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{\"text\": \"The ans"
            let both = client.read(replaced.utf8.count + Self.chunked.utf8.count)
            #expect(both.text == replaced + Self.chunked, "\(both)")
        }
    }

    // response-delay: the request goes at once, its response reaches the client 400 ms later
    // (tolerance +500 ms); body-rate: 100 bytes at 200 B/s take about half a second.
    @Test func holdsBackAndSlowsDown() async throws {
        try await withProxy([("response-delay", ["400ms"])], response: Self.sized) { port in
            let client = try RawTCPClient(port: Int(port))
            let started = ContinuousClock.now
            client.send(Self.get("/"))
            #expect(client.read(Self.sized.utf8.count).text == Self.sized)
            let took = (ContinuousClock.now - started).seconds
            #expect(took >= 0.4 && took < 0.9, "\(took)")
        }
        let body = String(repeating: "x", count: 100)
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + body
        try await withProxy([("body-rate", ["200"])], response: response) { port in
            let client = try RawTCPClient(port: Int(port))
            let started = ContinuousClock.now
            client.send(Self.get("/"))
            let slow = client.read(response.utf8.count)
            let took = (ContinuousClock.now - started).seconds
            #expect(slow.text == response, "\(slow)")
            // Slices of 10 bytes, the last one due 90 bytes after the first: 0.45 s.
            #expect(took >= 0.44 && took < 1.2, "\(took)")
        }
    }
}
