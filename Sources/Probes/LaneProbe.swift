/// A probe whose check is one blocking call on its own lane (no state kept between checks):
/// the command probe.
public class LaneProbe<Config: ValidatableProbeConfig>: Probe, @unchecked Sendable {
    // @unchecked: every stored property is immutable and Sendable; subclasses add none.
    public let name: String
    public let timeout: Duration
    let config: Config
    private let lane: BlockingLane
    private let body: @Sendable (Config, Duration) -> ProbeCheck

    init(name: String, config: Config, timeout: Duration, label: String,
         check body: @escaping @Sendable (Config, Duration) -> ProbeCheck) throws(ProbeConfigError) {
        try config.validate()
        self.name = name
        self.config = config
        self.timeout = timeout
        self.lane = BlockingLane(label: label)
        self.body = body
    }

    public func check() async -> ProbeCheck {
        let config = config, timeout = timeout, body = body
        return await lane.check { body(config, timeout) }
    }
}

/// A probe configuration that can check itself.
public protocol ValidatableProbeConfig: Sendable {
    func validate() throws(ProbeConfigError)
}

extension CommandProbeConfig: ValidatableProbeConfig {}
