/// The head of one HTTP/1.x response as the `http` fault's proxy reads it from the upstream: status
/// line and headers, and how the body that follows is framed.
struct HTTPResponseHead: Sendable, Equatable {
    let status: Int
    /// The status line as sent (`HTTP/1.1 200 OK`).
    let statusLine: String
    let headers: [HTTPHeaderField]

    /// Whether the first bytes from an upstream can begin an HTTP/1.x response.
    static func mayBeResponse(_ bytes: [UInt8]) -> Bool {
        let prefix = Array("HTTP/1.".utf8)
        return bytes.count < prefix.count ? prefix.starts(with: bytes) : bytes.starts(with: prefix)
    }

    /// Parses a head (the bytes up to and including its blank line); nil when it is not HTTP/1.x.
    static func parse(_ bytes: ArraySlice<UInt8>) -> HTTPResponseHead? {
        guard let (startLine, headers) = HTTPHeaderField.split(bytes), startLine.hasPrefix("HTTP/1.") else { return nil }
        let words = startLine.split(separator: " ", maxSplits: 2)
        guard words.count >= 2, words[1].count == 3, let status = Int(words[1]), status >= 100 else { return nil }
        return HTTPResponseHead(status: status, statusLine: String(startLine), headers: headers)
    }

    /// A 1xx answer other than 101: the final response to the same request still follows.
    var isInterim: Bool { status < 200 && status != 101 }

    /// How the body is framed, given the request it answers (RFC 9112 §6.3); nil when it cannot be read.
    func body(answering method: String) -> HTTPBodyFraming? {
        if method == "HEAD" || status < 200 || status == 204 || status == 304 { return HTTPBodyFraming.none }
        if let chunked = headers.isChunked { return chunked ? .chunked : .untilClose }
        switch headers.contentLength {
        case nil: return .untilClose
        case .success(0): return HTTPBodyFraming.none
        case .success(let count): return .length(count)
        case .failure: return nil
        }
    }

    /// The same head for another body of `count` bytes: Content-Length set, Transfer-Encoding dropped.
    func bytes(withBodyOf count: Int) -> [UInt8] {
        var text = statusLine + "\r\n"
        for field in headers {
            let lowered = field.name.lowercased()
            if lowered == "content-length" || lowered == "transfer-encoding" { continue }
            text += "\(field.name): \(field.value)\r\n"
        }
        text += "Content-Length: \(count)\r\n\r\n"
        return Array(text.utf8)
    }
}
