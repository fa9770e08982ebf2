import Dispatch
import Synchronization

/// Keeps idle libcurl connections for reuse and runs each blocking transfer on a serial dispatch
/// queue of its own, never on Swift's cooperative thread pool. (On Linux that pool is libdispatch's
/// global concurrent queue, ncpu threads wide: a `.concurrent` queue would share — and block — it;
/// a serial queue gets an overcommit thread.) Concurrent callers get separate connections and
/// queues, so a slow call does not hold up another.
public final class ConnectionPool: Sendable {
    private let idle = Mutex<[CurlConnection]>([])
    private let maxIdle: Int
    private let label: String

    public init(label: String, maxIdle: Int = 8) {
        self.maxIdle = maxIdle
        self.label = label
    }

    /// Runs `body` with a connection off the cooperative pool and returns its result.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (CurlConnection) throws(TransportFailure) -> T
    ) async throws(TransportFailure) -> T {
        let result: Result<T, TransportFailure> = await withCheckedContinuation { continuation in
            DispatchQueue(label: label).async {
                continuation.resume(returning: self.withConnectionBlocking(body))
            }
        }
        return try result.get()
    }

    /// The same on the calling thread (for callers already off the cooperative pool).
    public func withConnectionBlocking<T>(
        _ body: (CurlConnection) throws(TransportFailure) -> T
    ) -> Result<T, TransportFailure> {
        let connection: CurlConnection
        if let reused = idle.withLock({ $0.popLast() }) {
            connection = reused
        } else {
            do { connection = try CurlConnection() } catch { return .failure(error) }
        }
        let result: Result<T, TransportFailure>
        do { result = .success(try body(connection)) } catch { result = .failure(error) }
        // A connection whose transfer failed may be half-closed: drop it rather than reuse it.
        if case .success = result {
            idle.withLock { if $0.count < maxIdle { $0.append(connection) } }
        }
        return result
    }
}
