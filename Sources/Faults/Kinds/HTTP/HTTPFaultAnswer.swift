import FaultlineSupport

/// What an `http` fault does to a request it acts on: wait first (`delay`), then answer in the
/// upstream's place (`status`, `headers`, `body`), reset the connection, or forward it (late, with
/// a delay) and change the upstream's response (`response`).
public struct HTTPFaultAnswer: Sendable, Codable, Equatable {
    /// The status of the answer faultline gives instead of the upstream's (429, 503 …).
    public var status: Int?
    /// Header lines of that answer (`Retry-After: 2`).
    public var headers: [String]?
    /// Its body.
    public var body: String?
    /// How long the request waits before it is answered, reset or forwarded.
    public var delay: Duration?
    /// Reset the client's connection (TCP RST) instead of answering.
    public var reset: Bool?
    /// What happens to the upstream's response to a forwarded request.
    public var response: HTTPResponseChange?

    public init(status: Int? = nil, headers: [String]? = nil, body: String? = nil, delay: Duration? = nil, reset: Bool? = nil, response: HTTPResponseChange? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
        self.reset = reset
        self.response = response
    }

    /// `status 429`, `delay 2s`, `reset after 1s`, `response cut after 12 B`.
    public var summary: String {
        var words: [String] = []
        if reset == true { words.append("reset") }
        if let status { words.append("status \(status)") }
        if let delay { words.append(words.isEmpty ? "delay \(DurationText.format(delay))" : "after \(DurationText.format(delay))") }
        if let response { words.append(response.summary) }
        return words.joined(separator: " ")
    }

    /// The bytes of the answer: its status line, the given headers, Content-Length, and
    /// `Connection: close` (the proxy closes the connection after it, so a pooled client opens a new one).
    func response(toHead method: String) -> [UInt8] {
        let status = status ?? 500
        let body = Array((body ?? "").utf8)
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for line in headers ?? [] {
            guard let header = HTTPRequestMatch.headerLine(line) else { continue }
            let lowered = header.name.lowercased()
            if lowered == "content-length" || lowered == "connection" || lowered == "transfer-encoding" { continue }
            text += "\(header.name): \(header.value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8) + (method == "HEAD" ? [] : body)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Injected by faultline"
        }
    }
}
