import Foundation
import Logging
import Synchronization

/// Runs probes continuously, each on its own cadence (down to 10 ms), and streams their samples.
///
/// A probe never overlaps itself: when a check takes longer than the interval, the missed ticks
/// are skipped and the next check starts on the next tick. Probes never block one another: each
/// runs in its own task and its blocking calls on its own lane, or (a `PolledProbe`) as
/// non-blocking steps on the shared `ProbePoller`. Their ticks are spread evenly over
/// `phaseSlots` instants of the first `phaseSpread` (or of their interval, if shorter) instead of
/// all falling on one: 500 probes started together sent 500 requests at once every tick, and
/// their answers then waited for the two cores — that wait was reported as the services' latency.
public final class ProbeRunner: Sendable {
    /// One probe and how often to run it.
    public struct Scheduled: Sendable {
        public let probe: any Probe
        public let every: Duration
        public init(probe: any Probe, every: Duration) {
            self.probe = probe
            self.every = every
        }
    }

    public static let minimumInterval: Duration = .milliseconds(10)
    /// The span the probes' first checks are spread over (at most their interval).
    public static let phaseSpread: Duration = .milliseconds(100)
    /// How many instants the ticks fall on: a tick of its own per probe kept each thread that
    /// serves them waking alone and doubled the CPU per sample (`faultline-bench probes`: 0.64 →
    /// 1.07 cores at 500 probes); 25 slots cost what one instant did and add +0.3 ms at p50.
    public static let phaseSlots = 25

    /// Every sample, in the order they finish. Finishes when the runner stops.
    public let samples: AsyncStream<ProbeSample>
    private let continuation: AsyncStream<ProbeSample>.Continuation
    private let scheduled: [Scheduled]
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let polled = Mutex<([PolledSchedule], Countdown)?>(nil)
    /// The runner's monotonic origin; sample offsets count from here.
    public let origin: ContinuousClock.Instant
    /// The wall time at `origin`.
    public let originDate: Date

    public init(_ scheduled: [Scheduled]) {
        self.scheduled = scheduled
        (samples, continuation) = AsyncStream.makeStream(of: ProbeSample.self)
        origin = .now
        originDate = Date()
    }

    /// Starts every probe; they run until `stop()` or until `duration` has passed. Polled probes
    /// (TCP, HTTP, Redis) tick on the shared `ProbePoller`; the others each in a task of their own.
    public func start(for duration: Duration? = nil) {
        let end = duration.map { origin + $0 }
        let count = scheduled.count
        var started: [Task<Void, Never>] = []
        var polled: [PolledSchedule] = []
        let polledFinished = Countdown(scheduled.lazy.filter { $0.probe is any PolledProbe }.count)
        for (index, item) in scheduled.enumerated() {
            let slot = (index * Self.phaseSlots) / max(count, 1)
            let phase = min(max(item.every, Self.minimumInterval), Self.phaseSpread) * (Double(slot) / Double(Self.phaseSlots))
            let emit: @Sendable (ProbeCheck, ContinuousClock.Instant, Int) -> Void = { [continuation, origin, originDate] check, requested, sequence in
                continuation.yield(Self.sample(of: item.probe, check, requested: requested, sequence: sequence, origin: origin, originDate: originDate))
            }
            if let probe = item.probe as? any PolledProbe {
                polled.append(PolledSchedule(probe: probe, every: max(item.every, Self.minimumInterval), first: origin + phase, end: end,
                                             finished: polledFinished, emit: emit))
            } else {
                started.append(Task { [origin] in await Self.loop(item, first: origin + phase, end: end, emit: emit) })
            }
        }
        let poller = ProbePoller.shared
        if !polled.isEmpty { poller.submit { [polled] in polled.forEach { $0.start(on: poller) } } }
        tasks.withLock { $0 = started }
        self.polled.withLock { $0 = (polled, polledFinished) }
        Task { [continuation, started] in
            for task in started { await task.value }
            await polledFinished.wait()
            continuation.finish()
        }
    }

    /// Stops every probe after its current check and closes their connections.
    public func stop() async {
        let running = tasks.withLock { $0 }
        running.forEach { $0.cancel() }
        if let (polled, finished) = polled.withLock({ $0 }) {
            let poller = ProbePoller.shared
            poller.submit { polled.forEach { $0.stop(on: poller) } }
            await finished.wait()
        }
        for task in running { await task.value }
        for item in scheduled { await item.probe.close() }
        continuation.finish()
    }

    /// A probe's sample from its check: a probe that timed its own calls gives the service's
    /// latency; otherwise the whole call from `requested`.
    static func sample(of probe: any Probe, _ check: ProbeCheck, requested: ContinuousClock.Instant, sequence: Int,
                       origin: ContinuousClock.Instant, originDate: Date) -> ProbeSample {
        let start = check.ran?.lowerBound ?? requested
        let latency = (check.ran?.upperBound ?? ContinuousClock.now) - start
        return ProbeSample(probe: probe.name, sequence: sequence, startedAt: originDate.addingTimeInterval((start - origin).seconds),
                           offset: start - origin, latency: latency, outcome: check.outcome, reason: check.reason, attempts: check.attempts)
    }

    /// The tick after `next`: one interval on, skipping the ticks a slow check missed (the phase is kept).
    static func nextTick(after next: ContinuousClock.Instant, every: Duration, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        let following = next + every
        guard following < now else { return following }
        let missed = ((now - following) / every).rounded(.up)
        return following + every * missed
    }

    static func loop(_ item: Scheduled, first: ContinuousClock.Instant, end: ContinuousClock.Instant?,
                     emit: (ProbeCheck, ContinuousClock.Instant, Int) -> Void) async {
        let every = max(item.every, minimumInterval)
        var next = max(first, ContinuousClock.now)
        var sequence = 0
        if next > ContinuousClock.now {
            do { try await Task.sleep(until: next, clock: .continuous) } catch { return }
        }
        while !Task.isCancelled {
            if let end, next >= end { break }
            let requested = ContinuousClock.now
            let check = await item.probe.check()
            sequence += 1
            emit(check, requested, sequence)
            next = nextTick(after: next, every: every, now: .now)
            do { try await Task.sleep(until: next, clock: .continuous) } catch { break }
        }
    }
}

extension Duration {
    static func / (lhs: Duration, rhs: Duration) -> Double { lhs.seconds / rhs.seconds }
    static func * (lhs: Duration, rhs: Double) -> Duration { .nanoseconds(Int64((Double(lhs.nanoseconds) * rhs).rounded())) }
}
