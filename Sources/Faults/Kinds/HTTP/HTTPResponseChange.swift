import FaultlineSupport

/// What an `http` fault does to the upstream's response to a request it acts on and forwards: hold
/// it back, replace its body, send the body slowly, or cut the body short (the connection closed or
/// reset after so many bytes). Status and headers stay the upstream's.
public struct HTTPResponseChange: Sendable, Codable, Equatable {
    /// How the connection ends where the body is cut.
    public enum Cut: String, Sendable, Codable, CaseIterable {
        /// Closed (FIN): the client sees a body shorter than announced.
        case close
        /// Reset (TCP RST).
        case reset
    }

    /// How long the response waits before its head reaches the client.
    public var delay: Duration?
    /// The body the client gets instead of the upstream's (Content-Length set to its length).
    public var body: String?
    /// The body reaches the client at this many bytes per second.
    public var bytesPerSecond: Int?
    /// The client gets this many bytes of the body (as sent, chunk framing included), then the cut.
    public var cutAfter: Int?
    public var cut: Cut?

    public init(delay: Duration? = nil, body: String? = nil, bytesPerSecond: Int? = nil, cutAfter: Int? = nil, cut: Cut? = nil) {
        self.delay = delay
        self.body = body
        self.bytesPerSecond = bytesPerSecond
        self.cutAfter = cutAfter
        self.cut = cut
    }

    /// `response after 2s, body replaced, 100 B/s, cut after 12 B (reset)`.
    public var summary: String {
        var words: [String] = []
        if let delay { words.append("after \(DurationText.format(delay))") }
        if body != nil { words.append("body replaced") }
        if let bytesPerSecond { words.append("\(bytesPerSecond) B/s") }
        if let cutAfter { words.append("\(cut == .reset ? "reset" : "cut") after \(cutAfter) B") }
        return "response " + words.joined(separator: ", ")
    }
}
