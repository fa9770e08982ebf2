/// Which toxics apply to one proxied connection: each toxic's `toxicity` is rolled once per
/// connection, the first time the toxic is seen, and kept (both directions share the decisions;
/// they run on the connection's event loop).
final class ConnectionFates {
    private var decided: [String: Bool] = [:]
    /// When a toxic was first seen on this connection (reset_peer counts from then).
    private(set) var firstSeen: [String: NIODeadlineValue] = [:]

    /// How many directions have passed their sender's end of stream on (a FIN) so far; at two,
    /// both directions are done and the connection is closed.
    var directionsFinished = 0

    func applies(_ toxic: Toxic, now: NIODeadlineValue) -> Bool {
        if let known = decided[toxic.name] { return known }
        let applies = toxic.toxicity >= 1 || Double.random(in: 0..<1) < toxic.toxicity
        decided[toxic.name] = applies
        firstSeen[toxic.name] = now
        return applies
    }
}

/// Nanoseconds on the event loop's clock (NIODeadline's uptime value).
typealias NIODeadlineValue = UInt64
