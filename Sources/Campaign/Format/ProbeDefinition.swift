import Probes

/// A named probe of a campaign with its cadence.
public struct ProbeDefinition: Sendable, Equatable {
    public var name: String
    public var config: ProbeConfig
    public var every: Duration
    public var timeout: Duration

    public init(name: String, config: ProbeConfig, every: Duration = .milliseconds(500), timeout: Duration = .seconds(1)) {
        self.name = name
        self.config = config
        self.every = every
        self.timeout = timeout
    }
}
