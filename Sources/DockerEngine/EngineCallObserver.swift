/// Hears every engine call the client makes: for metrics (the daemon's latency histogram).
public protocol EngineCallObserver: Sendable {
    /// `method` is GET/POST/DELETE; `succeeded` is false for transport failures and error statuses.
    func engineCall(method: String, duration: Duration, succeeded: Bool)
}
