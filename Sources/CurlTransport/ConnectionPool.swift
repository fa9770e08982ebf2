import Dispatch
import Synchronization

/// Keeps idle libcurl connections for reuse and runs each blocking transfer on its connection's
/// own serial dispatch queue, never on Swift's cooperative thread pool. (On Linux that pool is
/// libdispatch's global concurrent queue, ncpu threads wide: a `.concurrent` queue would share —
/// and block — it; a serial queue gets an overcommit thread.) Concurrent callers get separate
/// connections and queues, so a slow call does not hold up another.
public final class ConnectionPool: Sendable {
    private let idle = Mutex<[CurlConnection]>([])
    private let maxIdle: Int

    public init(maxIdle: Int = 8) {
        self.maxIdle = maxIdle
    }

    /// Runs `body` with a connection off the cooperative pool and returns its result.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (CurlConnection) throws(TransportFailure) -> T
    ) async throws(TransportFailure) -> T {
        let connection: CurlConnection
        if let reused = idle.withLock({ $0.popLast() }) {
            connection = reused
        } else {
            connection = try CurlConnection()
        }
        let result: Result<T, TransportFailure> = await withCheckedContinuation { continuation in
            connection.queue.async {
                continuation.resume(returning: Result { () throws(TransportFailure) -> T in try body(connection) })
            }
        }
        // A connection whose transfer failed may be half-closed: drop it rather than reuse it.
        if case .success = result {
            idle.withLock { if $0.count < maxIdle { $0.append(connection) } }
        }
        return try result.get()
    }
}
