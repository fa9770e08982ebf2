import FaultlineSupport
@testable import Faults
import Fixtures
import Foundation
import Glibc
import Synchronization
import TestSupport
import Testing

/// The http fault's proxy in this process, forwarding to an echo server on loopback instead of a
/// redirect's original destination: a forwarded request comes back byte for byte, so what the proxy
/// passes is seen exactly; a request it acts on gets the fault's answer, a reset, or arrives late.
@Suite struct InterceptProxyHTTPTests {
    /// Starts a proxy for `parameters` in front of a new echo server; it serves for `lifetime`.
    func proxy(_ given: [(key: String, texts: [String])], lifetime: Duration = .seconds(8)) async throws -> (port: UInt16, server: LoopbackServer) {
        let parameters = try HTTPParameters.read([("port", ["8080"])] + given)
        let server = try await LoopbackServer(.echo)
        let proxy = InterceptProxy(port: 0, behaviour: .http(parameters.match, parameters.answer), lifetime: lifetime,
                                   upstream: ("127.0.0.1", UInt16(server.port)))
        return (try await proxy.startedForTests(), server)
    }

    static let get = "GET /v1/chat HTTP/1.1\r\nHost: llm\r\n\r\n"

    // The first two matching requests get the answer (its headers, then the connection closes); the
    // third, and one on another path, reach the upstream unchanged.
    @Test func answersTheFirstMatchingRequestsOnly() async throws {
        let (port, server) = try await proxy([("path", ["^/v1/"]), ("first", ["2"]), ("status", ["429"]), ("header", ["Retry-After: 2"]), ("body", ["slow down"])])
        defer { Task { await server.stop() } }
        for _ in 0..<2 {
            let client = try RawTCPClient(port: Int(port))
            client.send(Self.get)
            let answer = client.read()
            #expect(answer.text.hasPrefix("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n") && answer.text.hasSuffix("\r\n\r\nslow down"), "\(answer)")
            #expect(answer.end == .closed)
        }
        let other = try RawTCPClient(port: Int(port))
        #expect(other.echo("GET /health HTTP/1.1\r\nHost: llm\r\n\r\n") == "GET /health HTTP/1.1\r\nHost: llm\r\n\r\n")
        let third = try RawTCPClient(port: Int(port))
        #expect(third.echo(Self.get) == Self.get)
    }

    // On one kept-alive connection, requests with a length body and a chunked body pass byte for
    // byte; a later matching one (by method and header) gets the answer.
    @Test func readsRequestAfterRequestOnOneConnection() async throws {
        let (port, server) = try await proxy([("method", ["DELETE"]), ("request-header", ["X-Fail: ^yes$"]), ("status", ["500"])])
        defer { Task { await server.stop() } }
        let client = try RawTCPClient(port: Int(port))
        let sized = "POST /a HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world"
        let chunked = "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nTrailer: t\r\n\r\n"
        let notThisOne = "DELETE /c HTTP/1.1\r\nX-Fail: no\r\n\r\n"
        #expect(client.echo(sized) == sized)
        #expect(client.echo(chunked) == chunked)
        #expect(client.echo(notThisOne) == notThisOne)
        client.send("DELETE /c HTTP/1.1\r\nx-fail: yes\r\nContent-Length: 3\r\n\r\nabc")
        let answer = client.read()
        #expect(answer.text.hasPrefix("HTTP/1.1 500 Internal Server Error\r\n") && answer.end == .closed, "\(answer)")
    }

    // reset: the client's connection ends with a TCP RST and no answer.
    @Test func resetsTheConnection() async throws {
        let (port, server) = try await proxy([("reset", ["true"])])
        defer { Task { await server.stop() } }
        let client = try RawTCPClient(port: Int(port))
        client.send(Self.get)
        let result = client.read()
        #expect(result.end == .reset && result.text.isEmpty, "\(result)")
    }

    // delay alone: the request reaches the upstream unchanged, that much later (tolerance: +500 ms).
    @Test func forwardsLate() async throws {
        let (port, server) = try await proxy([("delay", ["400ms"])])
        defer { Task { await server.stop() } }
        let client = try RawTCPClient(port: Int(port))
        let started = ContinuousClock.now
        #expect(client.echo(Self.get) == Self.get)
        let took = (ContinuousClock.now - started).seconds
        #expect(took >= 0.4 && took < 0.9, "\(took)")
    }

    // Bytes that are not HTTP (a TLS handshake), and everything after an Upgrade, pass untouched
    // even where they look like a matching request.
    @Test func passesOtherProtocolsThrough() async throws {
        let (port, server) = try await proxy([("path", ["^/v1/"]), ("status", ["503"])])
        defer { Task { await server.stop() } }
        let tls = try RawTCPClient(port: Int(port))
        let hello = String(decoding: [0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00], as: UTF8.self)
        #expect(tls.echo(hello) == hello)
        #expect(tls.echo(Self.get) == Self.get)
        let socket = try RawTCPClient(port: Int(port))
        let upgrade = "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        #expect(socket.echo(upgrade) == upgrade)
        #expect(socket.echo(Self.get) == Self.get)
    }
}
