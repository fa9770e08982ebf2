import Dispatch

/// A serial lane for one probe's blocking C calls (libpq, hiredis, sockets), off the cooperative
/// pool. Serial, because the probe's connection state is used by one call at a time.
final class BlockingLane: Sendable {
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    /// Runs a probe's check on the lane, timed there: from when the lane starts it to its answer.
    func check(_ body: @escaping @Sendable () -> ProbeCheck) async -> ProbeCheck {
        await run {
            let start = ContinuousClock.now
            return body().timed(from: start)
        }
    }
}

/// A deadline on the monotonic clock, for poll loops in C-level probes.
struct PollDeadline {
    let end: ContinuousClock.Instant

    init(after duration: Duration) { end = .now + duration }

    /// Milliseconds left, for poll(2); 0 when passed.
    var remainingMilliseconds: Int32 {
        let left = end - .now
        return left <= .zero ? 0 : Int32(min(Double(Int32.max), (left.milliseconds).rounded(.up)))
    }

    var passed: Bool { ContinuousClock.now >= end }
}
