import Foundation
@testable import Faults
import Testing

@Suite struct WebSocketFaultTests {
    func refusal(_ given: [(key: String, texts: [String])]) -> String {
        do { _ = try WebSocketParameters.read([("port", ["8000"])] + given); return "accepted" } catch { return "\(error)" }
    }

    // Bad input gets one clear line naming the parameter.
    @Test func refusesWhatCannotBeDone() {
        #expect(refusal([]).contains("needs 'action'"))
        #expect(refusal([("action", ["explode"])]).contains("drop, delay, duplicate, reorder, corrupt, close"))
        #expect(refusal([("action", ["delay"])]).contains("needs 'delay'"))
        #expect(refusal([("action", ["drop"]), ("delay", ["1s"])]).contains("goes with action delay"))
        #expect(refusal([("action", ["close"]), ("corrupt", ["invalid-utf8"])]).contains("goes with action corrupt"))
        #expect(refusal([("action", ["close"]), ("close-code", ["999"])]).contains("1000 … 4999"))
        #expect(refusal([("action", ["drop"]), ("field", ["type"])]).contains("'dotted.path=value'"))
        #expect(refusal([("action", ["drop"]), ("path", ["(ws"])]).contains("not a regular expression"))
        #expect(refusal([("action", ["drop"]), ("from", ["proxy"])]).contains("server, client"))
        #expect(refusal([("action", ["drop"])]) == "accepted")
        #expect { _ = try WebSocketParameters.read([("port", ["53/udp"]), ("action", ["drop"])]) } throws: { "\($0)".contains("must be a TCP port") }
    }

    // What a definition writes out reads back as the same parameters (what the proxy process and an agent receive).
    @Test func readsBackItsTexts() throws {
        let all: [[(key: String, texts: [String])]] = [
            [("port", ["8000"]), ("direction", ["inbound"]), ("path", ["^/ws"]), ("from", ["client"]), ("field", ["data.kind=x"]), ("probability", ["0.5"]), ("first", ["2"]), ("action", ["drop"])],
            [("port", ["8000"]), ("action", ["delay"]), ("delay", ["250ms"]), ("existing", ["reset"])],
            [("port", ["8000"]), ("action", ["corrupt"]), ("corrupt", ["invalid-utf8"])],
            [("port", ["8000"]), ("action", ["close"]), ("close-code", ["4001"])],
            [("port", ["8000"]), ("action", ["reorder"])],
        ]
        for given in all {
            let parameters = try WebSocketParameters.read(given)
            #expect(try WebSocketParameters.read(parameters.texts) == parameters)
        }
        let close = try WebSocketParameters.read([("port", ["8000"]), ("direction", ["inbound"]), ("field", ["type=tool_executing"]), ("action", ["close"])])
        #expect(close.fault == .close(code: 1011) && close.summary == "websocket inbound :8000 server type=tool_executing close 1011")
    }

    // A field condition follows a dotted path and compares strings, numbers, booleans and null as text.
    @Test func matchesAFieldOfTheMessage() {
        func fits(_ field: String, _ json: String) -> Bool { WebSocketMessageMatch(field: field).fits(Array(json.utf8)) }
        #expect(fits("type=tool_executing", #"{"type":"tool_executing","seq":3}"#))
        #expect(!fits("type=tool_executing", #"{"type":"tool_completed"}"#))
        #expect(fits("data.step=2", #"{"data":{"step":2}}"#) && fits("data.step=2", #"{"data":{"step":2.0}}"#))
        #expect(fits("retrying=true", #"{"retrying":true}"#) && !fits("retrying=true", #"{"retrying":"yes"}"#))
        #expect(fits("x=null", #"{"x":null}"#) && !fits("x.y=1", #"{"x":[1]}"#))
        #expect(!fits("type=a", "not json") && WebSocketMessageMatch().fits(Array("not json".utf8)))
    }

    // corrupt: invalid-utf8 puts a byte sequence no decoder accepts in front; invalid-json cuts the
    // message in half at a character boundary (never the whole message).
    @Test func corruptsAMessage() {
        let message = Array(#"{"type":"ü","n":1}"#.utf8)
        let broken = WebSocketMessageFault.corrupted(message, .invalidUTF8)
        #expect(String(validating: broken, as: UTF8.self) == nil)
        let cut = WebSocketMessageFault.corrupted(message, .invalidJSON)
        #expect(cut.count < message.count && String(validating: cut, as: UTF8.self) != nil && Array(message.prefix(cut.count)) == cut)
        #expect(WebSocketMessageFault.corrupted(Array("ab".utf8), .invalidJSON) == Array("a".utf8))
    }
}
