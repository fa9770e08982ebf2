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
    /// How many instants the ticks of probes in a task of their own fall on: a tick of its own per
    /// such probe kept each thread that serves them waking alone and doubled the CPU per sample
    /// (`faultline-bench probes`: 0.64 → 1.07 cores at 500 probes, before those kinds moved to the
    /// pollers); 25 slots cost what one instant did and added +0.3 ms at p50.
    public static let phaseSlots = 25

    /// Every sample, in the order they finish. Finishes when the runner stops.
    public let samples: ProbeSamples
    private let continuation: AsyncStream<[ProbeSample]>.Continuation
    private let scheduled: [Scheduled]
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let polled = Mutex<([PolledSchedule], Countdown)?>(nil)
    /// The runner's monotonic origin; sample offsets count from here.
    public let origin: ContinuousClock.Instant
    /// The wall time at `origin`.
    public let originDate: Date

    public init(_ scheduled: [Scheduled]) {
        self.scheduled = scheduled
        let (batches, continuation) = AsyncStream.makeStream(of: [ProbeSample].self)
        samples = ProbeSamples(batches: batches)
        self.continuation = continuation
        origin = .now
        originDate = Date()
    }

    /// Starts every probe; they run until `stop()` or until `duration` has passed. Polled probes
    /// (TCP, HTTP, Redis) tick on the shared `ProbePoller`; the others each in a task of their own.
    public func start(for duration: Duration? = nil) {
        let end = duration.map { origin + $0 }
        var started: [Task<Void, Never>] = []
        var polled: [PolledSchedule] = []
        let polledCount = scheduled.lazy.filter { $0.probe is any PolledProbe }.count
        let polledFinished = Countdown(polledCount)
        let batchers = Dictionary(uniqueKeysWithValues: ProbePoller.all.map { (ObjectIdentifier($0), SampleBatcher(continuation, poller: $0)) })
        for (index, item) in scheduled.enumerated() {
            let first = origin + phase(of: index, every: item.every)
            let sample: @Sendable (ProbeCheck, ContinuousClock.Instant, Int) -> ProbeSample = { [origin, originDate] check, requested, sequence in
                Self.sample(of: item.probe, check, requested: requested, sequence: sequence, origin: origin, originDate: originDate)
            }
            if let probe = item.probe as? any PolledProbe {
                let batcher = batchers[ObjectIdentifier(probe.poller)]!
                polled.append(PolledSchedule(probe: probe, every: max(item.every, Self.minimumInterval), first: first, end: end,
                                             finished: { batcher.whenFlushed { polledFinished.countDown() } }) { check, requested, sequence in
                    batcher.add(sample(check, requested, sequence))
                })
            } else {
                started.append(Task { [continuation] in
                    await Self.loop(item, first: first, end: end) { continuation.yield([sample($0, $1, $2)]) }
                })
            }
        }
        for poller in ProbePoller.all {
            let own = polled.filter { $0.probe.poller === poller }
            if !own.isEmpty { poller.submit { own.forEach { $0.start(on: poller) } } }
        }
        tasks.withLock { $0 = started }
        self.polled.withLock { $0 = (polled, polledFinished) }
        Task { [continuation, started] in
            for task in started { await task.value }
            await polledFinished.wait()
            continuation.finish()
        }
    }

    /// When a probe's first check falls within the first `phaseSpread` (or its interval, if
    /// shorter): the probes in a task of their own share `phaseSlots` instants; polled probes each
    /// have an instant of their own, since waking a poller costs the same for one check as for many.
    private func phase(of index: Int, every: Duration) -> Duration {
        let polled = scheduled[index].probe is any PolledProbe
        let slots = polled ? scheduled.count : Self.phaseSlots
        let slot = (index * slots) / max(scheduled.count, 1)
        return min(max(every, Self.minimumInterval), Self.phaseSpread) * (Double(slot) / Double(slots))
    }

    /// Stops every probe after its current check and closes their connections.
    public func stop() async {
        let running = tasks.withLock { $0 }
        running.forEach { $0.cancel() }
        if let (polled, finished) = polled.withLock({ $0 }) {
            for schedule in polled {
                let poller = schedule.probe.poller
                poller.submit { schedule.stop(on: poller) }
            }
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
