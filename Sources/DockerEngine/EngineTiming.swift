import CurlTransport

/// How long an engine call took: end to end as libcurl saw it, and the part the engine spent
/// before its first response byte (request sent → first byte), which is the engine's own time.
public struct EngineTiming: Sendable, Equatable {
    public let total: Duration
    public let engine: Duration

    init(_ timing: CurlTiming) {
        total = timing.total
        engine = timing.server
    }
}
