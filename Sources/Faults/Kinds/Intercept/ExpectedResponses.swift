import Synchronization

/// The requests of one proxied connection whose responses are still to come, in the order they
/// went upstream (HTTP/1.1 answers in request order): the request direction appends one before
/// sending it, the response direction takes one per final response.
final class ExpectedResponses: Sendable {
    struct Request: Sendable {
        /// The request's method: a response to HEAD has no body.
        let method: String
        /// What the fault does to its response; nil: it passes as it is.
        let change: HTTPResponseChange?
    }

    private let waiting = Mutex<[Request]>([])

    func append(_ request: Request) { waiting.withLock { $0.append(request) } }

    /// The oldest request not yet answered; nil when the upstream answers more than it was asked.
    func next() -> Request? { waiting.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
}
