/// A fault at an offset, for a window, possibly repeated with seeded jitter.
public struct TimelineEntry: Sendable, Equatable {
    public var at: Duration
    public var fault: FaultSpec
    /// The window; nil for one-shot faults (restart, kill).
    public var duration: Duration?
    public var repeatRule: RepeatRule?

    public init(at: Duration, fault: FaultSpec, duration: Duration? = nil, repeatRule: RepeatRule? = nil) {
        self.at = at
        self.fault = fault
        self.duration = duration
        self.repeatRule = repeatRule
    }

    /// `times` occurrences in all, `every` apart, each moved by up to ± `jitter`.
    public struct RepeatRule: Sendable, Equatable {
        public var every: Duration
        public var times: Int
        public var jitter: Duration
        public init(every: Duration, times: Int, jitter: Duration = .zero) {
            self.every = every
            self.times = times
            self.jitter = jitter
        }
    }
}

/// Random faults on random targets at random times within bounds (Blockade's chaos mode),
/// drawn from the campaign seed.
public struct ChaosMode: Sendable, Equatable {
    /// The faults to draw from (their `target` is ignored: targets are drawn from `targets`).
    public var faults: [FaultSpec]
    public var targets: [String]
    public var count: Int
    public var start: Duration
    public var end: Duration
    public var minDuration: Duration
    public var maxDuration: Duration

    public init(faults: [FaultSpec], targets: [String], count: Int, start: Duration, end: Duration,
                minDuration: Duration, maxDuration: Duration) {
        self.faults = faults
        self.targets = targets
        self.count = count
        self.start = start
        self.end = end
        self.minDuration = minDuration
        self.maxDuration = maxDuration
    }
}
