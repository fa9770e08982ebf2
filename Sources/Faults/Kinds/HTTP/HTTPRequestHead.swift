import Foundation

/// The head of one HTTP/1.x request as the `http` fault's proxy reads it off a connection: request
/// line and headers, and how the body that follows is framed.
struct HTTPRequestHead: Sendable, Equatable {
    let method: String
    /// The request target as sent (`/v1/chat?x=1`, or absolute-form through a forward proxy).
    let target: String
    let version: String
    let headers: [HTTPHeaderField]

    /// The longest head read before the connection is passed through unparsed.
    static let limit = 64 * 1024
    static let end: [UInt8] = [13, 10, 13, 10]

    /// The index just past the head's blank line in `bytes`, if it is all there.
    static func endIndex(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = 0
        while index + 4 <= bytes.count {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index + 4 }
            index += 1
        }
        return nil
    }

    /// Whether the first bytes of a connection can begin an HTTP/1.x request (an upper-case method
    /// and a space); a TLS handshake or another protocol cannot.
    static func mayBeRequest(_ bytes: [UInt8]) -> Bool {
        for (index, byte) in bytes.prefix(20).enumerated() {
            if byte == 32 { return index > 0 }
            guard byte >= 65, byte <= 90 else { return false }
        }
        return bytes.count < 20
    }

    /// Parses a head (the bytes up to and including its blank line); nil when it is not HTTP/1.x.
    static func parse(_ bytes: ArraySlice<UInt8>) -> HTTPRequestHead? {
        guard let (startLine, headers) = HTTPHeaderField.split(bytes) else { return nil }
        let requestLine = startLine.split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1."), !requestLine[0].isEmpty, !requestLine[1].isEmpty else { return nil }
        return HTTPRequestHead(method: String(requestLine[0]), target: String(requestLine[1]), version: String(requestLine[2]), headers: headers)
    }

    /// The first value of a header, by name without case.
    func value(of name: String) -> String? { headers.value(of: name) }

    /// The path and query (`/v1/chat?x=1`), also of an absolute-form target.
    var path: String {
        guard !target.hasPrefix("/"), let scheme = target.range(of: "://") else { return target }
        let rest = target[scheme.upperBound...]
        return rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
    }

    /// Chunked when the last transfer coding is chunked, else Content-Length, else none; nil when
    /// they cannot frame a request's body.
    var body: HTTPBodyFraming? {
        if let chunked = headers.isChunked { return chunked ? .chunked : nil }
        switch headers.contentLength {
        case nil, .success(0): return HTTPBodyFraming.none
        case .success(let count): return .length(count)
        case .failure: return nil
        }
    }

    /// After this request the connection carries another protocol (WebSocket, a tunnel).
    var switchesProtocol: Bool { method == "CONNECT" || value(of: "Upgrade") != nil }
}
