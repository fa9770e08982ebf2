import Probes

/// A named probe of a campaign with its cadence.
public struct ProbeDefinition: Sendable, Equatable {
    public var name: String
    public var config: ProbeConfig
    public var every: Duration
    public var timeout: Duration
    /// The fleet node whose agent runs it (`from: edge-2`): what a client inside that host's
    /// network sees. nil: the coordinator runs it.
    public var node: String?

    public init(name: String, config: ProbeConfig, every: Duration = .milliseconds(500), timeout: Duration = .seconds(1), node: String? = nil) {
        self.name = name
        self.config = config
        self.every = every
        self.timeout = timeout
        self.node = node
    }
}
