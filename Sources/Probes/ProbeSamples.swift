/// A runner's samples, one at a time, in about the order they finished. They are handed over in
/// batches (`SampleBatcher`) so that the consumer is woken once per batch rather than once per
/// sample (2,000 probes: ~20,000 samples a second).
public struct ProbeSamples: AsyncSequence, Sendable {
    public typealias Element = ProbeSample
    let batches: AsyncStream<[ProbeSample]>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: AsyncStream<[ProbeSample]>.AsyncIterator
        var pending: [ProbeSample] = []
        var index = 0

        public mutating func next() async -> ProbeSample? {
            while index == pending.count {
                guard let batch = await batches.next() else { return nil }
                pending = batch
                index = 0
            }
            defer { index += 1 }
            return pending[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(batches: batches.makeAsyncIterator()) }
}

/// Collects the samples polled probes finish on one poller and hands them over as one batch a
/// millisecond after the first (per poller turn, they still came one or two at a time, and every
/// batch can wake the consumer). Used on the poller's thread only.
final class SampleBatcher: @unchecked Sendable {
    // @unchecked: `pending` and `afterFlush` are touched only on the poller's thread.
    static let delay: Duration = .milliseconds(1)
    private let continuation: AsyncStream<[ProbeSample]>.Continuation
    private let poller: ProbePoller
    private var pending: [ProbeSample] = []
    private var afterFlush: [() -> Void] = []

    init(_ continuation: AsyncStream<[ProbeSample]>.Continuation, poller: ProbePoller) {
        self.continuation = continuation
        self.poller = poller
    }

    func add(_ sample: ProbeSample) {
        if pending.isEmpty { poller.after(Self.delay) { [self] in flush() } }
        pending.append(sample)
    }

    /// Runs `work` once every sample added so far has been handed over.
    func whenFlushed(_ work: @escaping () -> Void) {
        if pending.isEmpty { work() } else { afterFlush.append(work) }
    }

    private func flush() {
        continuation.yield(pending)
        pending.removeAll(keepingCapacity: true)
        let work = afterFlush
        afterFlush.removeAll()
        work.forEach { $0() }
    }
}
