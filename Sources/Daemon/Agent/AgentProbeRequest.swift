import FaultlineSupport
import Foundation
import Probes

/// `POST /v1/probes`: a probe a coordinator asks this agent to run from its host, for a bounded
/// time, its samples streamed back (`AgentProbeStream`):
///
///     {"name": "web-inside", "probe": {"tcp": {"host": "10.0.0.5", "port": 80}}, "every": "100ms", "timeout": "1s", "for": "2m"}
///
/// `for` bounds the stream (at most `longest`): a coordinator that dies or is cut off leaves no
/// probe running beyond it; the stream also ends when the coordinator hangs up.
public struct AgentProbeRequest: Codable, Sendable, Equatable {
    public var name: String
    public var probe: ProbeConfig
    public var every: String
    public var timeout: String
    public var `for`: String

    /// The longest a probe runs for one request.
    public static let longest: Duration = .seconds(24 * 3600)

    public init(name: String, probe: ProbeConfig, every: String, timeout: String, for duration: String) {
        self.name = name
        self.probe = probe
        self.every = every
        self.timeout = timeout
        self.for = duration
    }

    /// The request's durations read, its probe checked against what this listener allows.
    public struct Checked: Sendable {
        public let every: Duration
        public let timeout: Duration
        public let duration: Duration
    }

    /// - Parameters:
    ///   - allowsCommandProbes: whether this listener may run programs as the agent's user.
    ///   - allowedDestinations: when not empty, the hosts the probe may connect to.
    public func checked(allowsCommandProbes: Bool, allowedDestinations: ProbeDestinations) throws(APIError) -> Checked {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .badRequest("'name' is empty") }
        if case .command = probe, !allowsCommandProbes {
            throw APIError(status: 403, message: "probe '\(name)' would run a program as the agent's user, which this listener does not allow; a command probe runs on the coordinator")
        }
        do { try probe.validate() } catch { throw .badRequest("probe '\(name)': \(error.description)") }
        if let refusal = allowedDestinations.refusal(for: probe) {
            throw APIError(status: 403, message: "probe '\(name)': \(refusal)")
        }
        let interval = try AgentFaultRequest.duration(self.every, field: "every") ?? .zero
        guard interval >= ProbeRunner.minimumInterval else { throw .badRequest("'every' must be at least 10ms") }
        let checkTimeout = try AgentFaultRequest.duration(self.timeout, field: "timeout") ?? .zero
        let duration = try AgentFaultRequest.duration(self.for, field: "for") ?? .zero
        guard duration <= Self.longest else {
            throw .badRequest("'for' (\(DurationText.format(duration))) is longer than an agent runs a probe (\(DurationText.format(Self.longest)))")
        }
        return Checked(every: interval, timeout: checkTimeout, duration: duration)
    }
}
