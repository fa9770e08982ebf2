import Synchronization

/// Raised when work did not finish within its time limit.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String { "\(what) did not finish within \(DurationText.format(limit))" }
}

/// Runs `work` in an unstructured task that does NOT inherit the caller's cancellation, and waits at
/// most `limit` for it. Used for reverts: they must run even when the caller was cancelled, and
/// must not hang the caller when the engine does not answer. On time-out the work keeps running
/// in the background (its own engine calls carry their own time-outs) and the caller gets
/// `DeadlineExceeded`.
/// With `cancelOnTimeout`, the work is also cancelled when the limit passes (for work that
/// should stop, like a probe's conversation), but the caller still does not wait for it to end.
public func runDetached<T: Sendable>(
    _ what: String, limit: Duration, cancelOnTimeout: Bool = false, _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    return try await withCheckedThrowingContinuation { continuation in
        let once = ResumeOnce(continuation)
        let resumeOnce: @Sendable (Result<T, any Error>) -> Void = { once.resume(with: $0) }
        let worker = Task.detached {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            resumeOnce(result)
        }
        Task.detached {
            try? await Task.sleep(for: limit)
            resumeOnce(.failure(DeadlineExceeded(what: what, limit: limit)))
            if cancelOnTimeout { worker.cancel() }
        }
    }
}

/// Resumes a continuation at most once, whichever of several racers comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    private let slot: Mutex<CheckedContinuation<T, any Error>?>
    init(_ continuation: CheckedContinuation<T, any Error>) { slot = Mutex(continuation) }
    func resume(with result: Result<T, any Error>) {
        let pending = slot.withLock { value -> CheckedContinuation<T, any Error>? in
            defer { value = nil }
            return value
        }
        pending?.resume(with: result)
    }
}
