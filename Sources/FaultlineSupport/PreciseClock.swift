import Foundation
import Glibc
import Synchronization

/// The continuous clock, with sleeps that end within tens of microseconds of their deadline.
///
/// `Task.sleep` on Linux rides on libdispatch timers, which coalesce wake-ups: measured here, a
/// sleeping task woke 3 ms late at p99 on an idle machine. A campaign's planned instants are the
/// product (a fault injected late shifts every figure measured from it), so the scheduler sleeps
/// on this clock instead: one timer thread (timer slack 1 µs, `ppoll` to the nanosecond) resumes
/// each sleeper at its deadline. Cancelling a sleeping task ends its sleep at once with
/// `CancellationError`, like `Task.sleep`.
public struct PreciseClock: Clock {
    public typealias Instant = ContinuousClock.Instant
    public typealias Duration = Swift.Duration

    public init() {}

    public var now: Instant { .now }
    public var minimumResolution: Duration { ContinuousClock().minimumResolution }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await PreciseTimer.shared.sleep(until: deadline)
    }
}

/// The timer thread behind `PreciseClock`: a heap of deadlines, and a pipe that wakes the thread
/// when a sooner deadline arrives.
final class PreciseTimer: Sendable {
    static let shared = PreciseTimer()

    private enum Sleeper {
        /// Registered before its continuation exists, so a cancellation in between is not lost.
        case waiting(CheckedContinuation<Void, any Error>?)
        case cancelled
    }

    private struct State {
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        /// Deadline and sleeper id; ids whose sleeper is gone (cancelled) are dropped when popped.
        var heap = DeadlineHeap()
    }

    private let state = Mutex(State())
    /// The pipe's read and write ends (non-blocking: a full pipe already means "look again").
    private let wake: (read: Int32, write: Int32)

    /// A timer with a thread of its own (`shared` is the one the clock uses; tests make their own).
    init() {
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0, "the precise timer's pipe: \(String(cString: strerror(errno)))")
        for end in ends {
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wake = (ends[0], ends[1])
        let thread = Thread { [self] in loop() }
        thread.name = "faultline.precise-timer"
        thread.start()
    }

    func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            state.sleepers[state.nextID] = .waiting(nil)
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Next { case wait(soonest: Bool), cancelled, due }
                let next = state.withLock { state -> Next in
                    if case .cancelled = state.sleepers[id] {
                        state.sleepers[id] = nil
                        return .cancelled
                    }
                    guard deadline > .now else {
                        state.sleepers[id] = nil
                        return .due
                    }
                    state.sleepers[id] = .waiting(continuation)
                    let soonest = state.heap.first.map { deadline < $0.deadline } ?? true
                    state.heap.push(deadline: deadline, id: id)
                    return .wait(soonest: soonest)
                }
                switch next {
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .due: continuation.resume()
                case .wait(let soonest): if soonest { signal() }
                }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                switch state.sleepers[id] {
                case .waiting(let continuation?):
                    state.sleepers[id] = nil
                    return continuation
                case .waiting(nil):
                    state.sleepers[id] = .cancelled
                    return nil
                case .cancelled, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Sleepers waiting now (for tests: a cancelled or woken sleeper leaves nothing behind).
    var waiting: Int { state.withLock { $0.sleepers.count } }

    private func signal() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    private func loop() {
        PrecisePoll.limitTimerSlack(to: .microseconds(1))
        var descriptors = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        var drained = [UInt8](repeating: 0, count: 64)
        while true {
            let (due, soonest) = state.withLock { state -> ([CheckedContinuation<Void, any Error>], ContinuousClock.Instant?) in
                var due: [CheckedContinuation<Void, any Error>] = []
                let now = ContinuousClock.now
                while let first = state.heap.first, first.deadline <= now {
                    state.heap.pop()
                    if case .waiting(let continuation?) = state.sleepers.removeValue(forKey: first.id) {
                        due.append(continuation)
                    }
                }
                return (due, state.heap.first?.deadline)
            }
            for continuation in due { continuation.resume() }
            descriptors[0].revents = 0
            if PrecisePoll.wait(&descriptors, until: soonest) > 0 {
                _ = read(wake.read, &drained, drained.count)
            }
        }
    }
}

/// A binary min-heap of (deadline, id).
struct DeadlineHeap {
    private var entries: [(deadline: ContinuousClock.Instant, id: Int)] = []

    var first: (deadline: ContinuousClock.Instant, id: Int)? { entries.first }

    mutating func push(deadline: ContinuousClock.Instant, id: Int) {
        entries.append((deadline, id))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count, entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count, entries[right].deadline < entries[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
