import Synchronization

/// A probe whose check runs as non-blocking steps on the `ProbePoller`'s thread (the TCP, HTTP
/// and Redis probes): thousands of them share one thread instead of a thread each.
public protocol PolledProbe: Probe {
    /// The poller this probe's checks run on, for its whole life (its connections belong to it):
    /// `ProbePoller.assign()` when the probe is made.
    var poller: ProbePoller { get }

    /// Starts one check on the poller's thread. `done` is called exactly once, on that thread,
    /// within the probe's timeout (the probe keeps its own deadline), with the check timed from
    /// its first call to its answer.
    func begin(on poller: ProbePoller, done: @escaping (ProbeCheck) -> Void)
}

extension PolledProbe {
    /// One check from any task: handed to the probe's poller and awaited.
    public func check() async -> ProbeCheck {
        await withCheckedContinuation { continuation in
            let poller = poller
            poller.submit { self.begin(on: poller) { continuation.resume(returning: $0) } }
        }
    }
}

/// How one polled check ends: reported once, timed from its start, its deadline cancelled and
/// `cleanup` (closing what the check opened) run first, whichever comes first — an answer, a
/// failure or the deadline. Used on the poller's thread only.
final class PolledCheckEnding {
    let start = ContinuousClock.now
    private let poller: ProbePoller
    private let done: (ProbeCheck) -> Void
    private var deadline: PollerTimers.Token?
    private var finished = false
    var cleanup: () -> Void = {}

    init(poller: ProbePoller, done: @escaping (ProbeCheck) -> Void) {
        self.poller = poller
        self.done = done
    }

    /// Calls `expired` once `timeout` has passed, unless the check has finished by then.
    func expire(after timeout: Duration, _ expired: @escaping () -> Void) {
        deadline = poller.after(timeout, expired)
    }

    func finish(_ check: ProbeCheck) {
        guard !finished else { return }
        finished = true
        if let deadline { poller.cancel(deadline) }
        cleanup()
        done(check.timed(from: start))
    }
}

/// One polled probe's ticks, kept on the poller's thread: the same cadence as the runner's task
/// loop (`ProbeRunner.nextTick`), a check never overlapping the last, missed ticks skipped.
final class PolledSchedule: @unchecked Sendable {
    // @unchecked: every var is touched only on the poller's thread.
    let probe: any PolledProbe
    private let every: Duration
    private let end: ContinuousClock.Instant?
    private let emit: @Sendable (ProbeCheck, _ requested: ContinuousClock.Instant, _ sequence: Int) -> Void
    private let finished: () -> Void
    private var next: ContinuousClock.Instant
    private var sequence = 0
    private var timer: PollerTimers.Token?
    private var checking = false
    private var stopped = false
    private var done = false

    /// `finished` is called once on the poller's thread, after the schedule's last `emit`.
    init(probe: any PolledProbe, every: Duration, first: ContinuousClock.Instant, end: ContinuousClock.Instant?, finished: @escaping () -> Void,
         emit: @escaping @Sendable (ProbeCheck, ContinuousClock.Instant, Int) -> Void) {
        self.probe = probe
        self.every = every
        self.next = first
        self.end = end
        self.finished = finished
        self.emit = emit
    }

    func start(on poller: ProbePoller) {
        // A first instant already past (the poller took the schedule late) starts the grid now.
        next = max(next, .now)
        timer = poller.at(next) { [self] in tick(on: poller) }
    }

    /// Stops after the check in flight, if any.
    func stop(on poller: ProbePoller) {
        stopped = true
        guard !checking else { return }
        if let timer { poller.cancel(timer) }
        finish(on: poller)
    }

    private func tick(on poller: ProbePoller) {
        timer = nil
        if stopped || end.map({ next >= $0 }) == true { finish(on: poller); return }
        checking = true
        let requested = ContinuousClock.now
        probe.begin(on: poller) { [self] check in
            checking = false
            sequence += 1
            emit(check, requested, sequence)
            next = ProbeRunner.nextTick(after: next, every: every, now: .now)
            if stopped { finish(on: poller); return }
            timer = poller.at(next) { [self] in tick(on: poller) }
        }
    }

    private func finish(on poller: ProbePoller) {
        guard !done else { return }
        done = true
        finished()
    }
}

/// Waits until a number of things have finished.
final class Countdown: Sendable {
    private let state: Mutex<(left: Int, waiters: [CheckedContinuation<Void, Never>])>

    init(_ count: Int) { state = Mutex((count, [])) }

    func countDown() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.left -= 1
            guard state.left == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.left <= 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
