import Foundation
import Probes
import Testing

/// A probe's settings travel to a fleet node's agent as JSON (`{"http": {…}}`): every kind comes
/// back exactly as it went, and a body with no kind, two kinds or an unknown kind is refused
/// naming the kinds.
@Suite struct ProbeConfigCodingTests {
    static var everyKind: [ProbeConfig] {
        var http = HTTPProbeConfig(url: "https://10.0.0.5:8443/health?deep=1")
        http.method = "POST"
        http.headers = ["X-Trace: 1"]
        http.body = #"{"a": 1}"#
        http.expectStatus = try! StatusExpectation.parse("200-299,304")
        http.bodyContains = "ok"
        http.bodyRegex = "^o.$"
        http.jsonFields = ["status": "ok", "items.0.id": "7"]
        http.maxLatency = .milliseconds(250)
        http.verifyTLS = false
        var postgres = PostgresProbeConfig(dsn: "postgres://app@10.0.0.6:5432/app")
        postgres.query = "select count(*) from runs"
        postgres.expectValue = "3"
        postgres.expectRows = 1
        var redis = RedisProbeConfig(host: "10.0.0.7", port: 6380)
        redis.password = "s3cret"
        redis.database = 2
        redis.command = ["GET", "key"]
        redis.expectReply = "v"
        var websocket = WebSocketProbeConfig(url: "ws://10.0.0.8:9000/ws")
        websocket.headers = ["Cookie: a=b"]
        websocket.send = [#"{"type":"hello"}"#]
        websocket.expect = [WebSocketExpectation(type: "welcome", fields: [FieldCheck(path: "id", present: true, minLength: 1)], skipMismatched: true)]
        websocket.matchField = "kind"
        websocket.errorType = nil
        websocket.failOn = ["fatal"]
        websocket.persistent = true
        var command = CommandProbeConfig(argv: ["/bin/sh", "-c", "exit 0"])
        command.expectExit = 1
        command.stdoutContains = "x"
        return [.http(http), .tcp(TCPProbeConfig(host: "10.0.0.9", port: 22, send: "hi\r\n", expect: "SSH")), .postgres(postgres),
                .redis(redis), .websocket(websocket), .command(command)]
    }

    @Test func everyKindRoundTrips() throws {
        for config in Self.everyKind {
            let data = try JSONEncoder().encode(config)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(object?.keys.sorted() == [config.kind], "\(String(decoding: data, as: UTF8.self))")
            #expect(try JSONDecoder().decode(ProbeConfig.self, from: data) == config)
        }
    }

    @Test func refusesNoneTwoOrUnknownKinds() {
        for (json, message) in [("{}", "give exactly one probe kind (http, tcp, postgres, redis, websocket, command), not none"),
                                (#"{"tcp": {"host": "a", "port": 1}, "http": {"url": "x"}}"#, "not http and tcp"),
                                (#"{"smtp": {}}"#, "unknown probe kind 'smtp' (kinds: http, tcp, postgres, redis, websocket, command)")] {
            do {
                _ = try JSONDecoder().decode(ProbeConfig.self, from: Data(json.utf8))
                Issue.record("\(json) was accepted")
            } catch DecodingError.dataCorrupted(let context) {
                #expect(context.debugDescription.contains(message), "\(context.debugDescription)")
            } catch {
                Issue.record("\(json): \(error)")
            }
        }
    }
}
