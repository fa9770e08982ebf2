import Foundation
import Glibc

/// The upstream-to-client direction of an `http` fault's connection when the fault changes
/// responses: it reads the upstream's responses one by one and pairs each with the request it
/// answers (`ExpectedResponses`). A response to a request the fault acted on is held back, given
/// another body, slowed down or cut short as its change says; every other one passes byte for
/// byte. Whatever is not an HTTP/1.x response (after a 101, a tunnel, a broken upstream) is copied
/// through unchanged from there on.
struct ResponseRelay {
    let upstream: Int32
    let client: Int32
    let expected: ExpectedResponses

    /// Relays until the upstream ends, the client is gone, or a change cuts the connection.
    func run() -> InterceptProxy.Connection.DirectionEnd {
        let reader = SocketReader(upstream)
        let write: (ArraySlice<UInt8>) -> Bool = { HelperSocket.writeAll(client, $0) }
        while true {
            guard reader.fillHead(mayBegin: HTTPResponseHead.mayBeResponse) else {
                _ = write(reader.pending[...])
                return .close
            }
            guard let end = HTTPRequestHead.endIndex(in: reader.pending), let head = HTTPResponseHead.parse(reader.pending[..<end]) else { return copyRest(reader) }
            if head.isInterim {
                guard write(reader.pending[..<end]) else { return .close }
                reader.pending.removeFirst(end)
                continue
            }
            let request = expected.next()
            let method = request?.method ?? "GET"
            guard let framing = head.body(answering: method), head.status != 101, !(method == "CONNECT" && head.status < 300) else { return copyRest(reader) }
            let headBytes = Array(reader.pending[..<end])
            reader.pending.removeFirst(end)
            guard let change = request?.change else {
                guard write(headBytes[...]), reader.relay(framing, to: write), framing != .untilClose else { return .close }
                continue
            }
            if let delay = change.delay { Thread.sleep(forTimeInterval: delay.seconds) }
            var body = BodyWriter(client: client, change: change)
            if let replacement = change.body {
                // The upstream's body is read and dropped, so the next response starts where it should.
                guard reader.relay(framing, to: { _ in true }) else { return .close }
                let bytes = framing == .none && method == "HEAD" ? [] : Array(replacement.utf8)
                guard write(head.bytes(withBodyOf: bytes.count)[...]), body.write(bytes[...]) else { return body.end }
                if framing == .untilClose { return .close }
                continue
            }
            guard write(headBytes[...]) else { return .close }
            guard reader.relay(framing, to: { body.write($0) }), framing != .untilClose else { return body.end }
        }
    }

    /// Passes what is pending and everything after it unchanged.
    private func copyRest(_ reader: SocketReader) -> InterceptProxy.Connection.DirectionEnd {
        InterceptProxy.Connection.copy(from: upstream, to: client, first: reader.pending)
        return .close
    }
}

/// Writes one changed response's body to the client: at the change's rate, and no further than its
/// cut (a body no longer than the cut arrives whole).
struct BodyWriter {
    let client: Int32
    let change: HTTPResponseChange
    private(set) var written = 0
    /// Whether the body was longer than the cut and stopped there.
    private(set) var didCut = false
    private let started = ContinuousClock.now

    init(client: Int32, change: HTTPResponseChange) {
        self.client = client
        self.change = change
    }

    /// How the connection ends after this body stopped early: reset when the cut says so, else closed.
    var end: InterceptProxy.Connection.DirectionEnd { didCut && change.cut == .reset ? .reset : .close }

    /// Writes what it may of `bytes`; false when they went past the cut or the client is gone.
    mutating func write(_ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        if let cutAfter = change.cutAfter, bytes.count > cutAfter - written {
            rest = bytes.prefix(cutAfter - written)
            didCut = true
        }
        while !rest.isEmpty {
            var part = rest
            if let rate = change.bytesPerSecond {
                // Slices of a twentieth of a second, each sent when the rate allows it.
                part = rest.prefix(max(1, min(rate / 20, 16 * 1024)))
                let due = started + .seconds(Double(written) / Double(rate))
                let now = ContinuousClock.now
                if due > now { Thread.sleep(forTimeInterval: (due - now).seconds) }
            }
            guard HelperSocket.writeAll(client, part) else { return false }
            written += part.count
            rest = rest.dropFirst(part.count)
        }
        return !didCut
    }
}
