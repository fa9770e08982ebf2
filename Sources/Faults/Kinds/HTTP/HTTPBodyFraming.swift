/// How the body of an HTTP/1.x message is delimited on its connection (RFC 9112 §6).
enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case length(Int)
    case chunked
    /// Until the sender closes the connection (a response with neither length nor chunking).
    case untilClose

    /// A Content-Length or Transfer-Encoding that cannot frame a body: the connection passes unparsed.
    struct Unreadable: Error {}
}
