import DockerEngine
import FaultlineSupport
import Logging

/// Retries a revert while the engine cannot be reached (its socket gone or refusing, as while
/// dockerd restarts), until a deadline: a fault must be reverted once the engine is back, not
/// left open because the first attempt met a restarting engine. Any answer from the engine, even
/// an error, ends the retrying (reverts are idempotent; their own code reads the answer).
enum EngineOutageRetry {
    static let interval = Duration.milliseconds(250)

    /// Runs `body`, again after each transport failure while `until` has not passed; tells
    /// `unreachableFor` how long the engine was away when it had to wait.
    static func run<T: Sendable>(what: String, until deadline: ContinuousClock.Instant, logger: Logger,
                                 unreachableFor: @Sendable (Duration) -> Void,
                                 _ body: () async throws -> T) async throws -> T {
        var firstFailure: ContinuousClock.Instant?
        while true {
            do {
                let value = try await body()
                if let firstFailure {
                    let away = ContinuousClock.now - firstFailure
                    unreachableFor(away)
                    logger.notice("the engine answers again; \(what) done", metadata: ["unreachable": "\(DurationText.format(away))"])
                }
                return value
            } catch let error as DockerEngineError where error.kind == .transport {
                let now = ContinuousClock.now
                guard now + interval < deadline else { throw error }
                if firstFailure == nil {
                    firstFailure = now
                    logger.warning("the engine cannot be reached; retrying until it answers", metadata: ["call": "\(what)", LogKey.error: "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
