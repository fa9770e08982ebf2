import Campaign
import Foundation
import Synchronization

/// One run's story for followers: every line so far (bounded) and live lines to each subscriber,
/// until the run ends. A follower that joins late gets the earlier lines first, then the live ones,
/// with none lost or repeated between the two.
final class RunEventLog: Sendable {
    /// Lines kept for late followers; the oldest go first beyond this.
    static let capacity = 5000

    private struct State {
        var lines: [RunEventLine] = []
        var subscribers: [UUID: AsyncStream<RunEventLine>.Continuation] = [:]
        var finished = false
    }
    private let state = Mutex(State())

    func append(_ line: RunEventLine) {
        state.withLock { state in
            guard !state.finished else { return }
            state.lines.append(line)
            if state.lines.count > Self.capacity {
                state.lines.removeFirst(state.lines.count - Self.capacity)
            }
            for subscriber in state.subscribers.values { subscriber.yield(line) }
        }
    }

    /// Ends every follower's stream (after the last line).
    func finish() {
        let subscribers = state.withLock { state in
            state.finished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        // Outside the lock: finishing runs the stream's termination handler, which takes it.
        for subscriber in subscribers { subscriber.finish() }
    }

    var lines: [RunEventLine] { state.withLock { $0.lines } }

    /// The lines so far, then live ones until the run ends.
    func follow() -> AsyncStream<RunEventLine> {
        let (stream, continuation) = AsyncStream<RunEventLine>.makeStream(bufferingPolicy: .bufferingNewest(Self.capacity))
        let id = UUID()
        state.withLock { state in
            for line in state.lines { continuation.yield(line) }
            if state.finished {
                continuation.finish()
            } else {
                state.subscribers[id] = continuation
            }
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }
}
