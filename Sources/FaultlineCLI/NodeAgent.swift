import Campaign
import CurlTransport
import Daemon
import Faults
import FaultlineSupport
import Foundation
import Probes
import Synchronization

/// The faultline agent of one fleet node, as the fleet file names it: every call's failure says
/// which node and which call. `inject --node` and fleet campaigns both talk to agents through it.
public struct NodeAgent: Sendable {
    public let node: String
    let client: DaemonClient

    /// The ledger deadline an agent is given beyond a window: should the agent itself die, its
    /// warden reverts by then; the agent reverts at the window's end on its own anyway.
    public static let deadlineGrace: Duration = .seconds(10)
    /// How long one call to an agent may take (injects include the agent's engine calls).
    static let callTimeout: Duration = .seconds(30)
    /// How long a health question may take before the node counts as not answering.
    static let healthTimeout: Duration = .seconds(3)

    /// The node's agent from the fleet file, or one line naming the nodes there are.
    public init(node nodeName: String, in fleet: FleetDescription) throws {
        guard let node = fleet.node(named: nodeName) else {
            let names = fleet.nodes.map(\.name)
            let hint = NameSuggestions.closest(to: nodeName, among: names, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw DaemonClient.Failure(description: "no node '\(nodeName)' in the fleet file \(fleet.file)\(hint) (nodes: \(names.joined(separator: ", ")))",
                                       exitCode: .invalidInput)
        }
        guard let agent = node.agent else {
            throw DaemonClient.Failure(description: "node '\(nodeName)' in \(fleet.file) names no agent: add `agent: unix:///PATH/daemon.sock` (or its URL) to it",
                                       exitCode: .invalidInput)
        }
        self.node = nodeName
        if agent.hasPrefix("unix://") {
            client = DaemonClient(socket: String(agent.dropFirst("unix://".count)), baseURL: "http://faultline", token: nil)
        } else if agent.hasPrefix("/") {
            client = DaemonClient(socket: agent, baseURL: "http://faultline", token: nil)
        } else if agent.hasPrefix("https://") {
            guard let tls = fleet.tls else {
                throw DaemonClient.Failure(description: "node '\(nodeName)' in \(fleet.file): agent \(agent) takes mutual TLS: add `tls: { ca: CA.pem, cert: COORDINATOR.pem, key: COORDINATOR.key }` to the fleet file (`faultline certs` makes them)",
                                           exitCode: .invalidInput)
            }
            client = DaemonClient(socket: nil, baseURL: agent.hasSuffix("/") ? String(agent.dropLast()) : agent,
                                  token: try TokenSource.read(argument: nil, file: fleet.tokenFile),
                                  tls: tls)
        } else if agent.hasPrefix("http://") {
            let host = Self.host(of: agent)
            guard LoopbackAddress.contains(host) else {
                throw DaemonClient.Failure(description: "node '\(nodeName)' in \(fleet.file): agent \(agent) is beyond loopback without TLS (its token would travel in clear text): use https:// with mutual TLS",
                                           exitCode: .invalidInput)
            }
            client = DaemonClient(socket: nil, baseURL: agent.hasSuffix("/") ? String(agent.dropLast()) : agent,
                                  token: try TokenSource.read(argument: nil, file: fleet.tokenFile))
        } else {
            throw DaemonClient.Failure(description: "node '\(nodeName)' in \(fleet.file): agent '\(agent)' is neither unix:///PATH nor http(s)://HOST:PORT",
                                       exitCode: .invalidInput)
        }
    }

    /// `10.0.0.5` of `http://10.0.0.5:7441/`, `::1` of `http://[::1]:7441`.
    static func host(of url: String) -> String {
        let rest = url.drop { $0 != "/" }.dropFirst(2)
        let authority = rest.prefix { $0 != "/" }
        if authority.hasPrefix("[") { return String(authority.dropFirst().prefix { $0 != "]" }) }
        return String(authority.prefix { $0 != ":" })
    }

    /// The request for one fault: a window's fault gets the window plus `deadlineGrace` as its deadline.
    public static func request(kind: FaultKind, target: String, parameters: [(key: String, texts: [String])], window: Duration?) -> AgentFaultRequest {
        AgentFaultRequest(kind: kind.rawValue, target: target, parameters: Dictionary(parameters.map { ($0.key, $0.texts) }, uniquingKeysWith: +),
                          window: window.map(DurationText.format), deadline: window.map { DurationText.format($0 + deadlineGrace) })
    }

    /// `POST /v1/faults`.
    public func inject(_ request: AgentFaultRequest) async throws -> AgentFault {
        try await named("POST /v1/faults (\(request.kind) on \(request.target))") {
            try await client.call("POST", "/v1/faults", body: Array(JSONCoding.encode(request)), timeout: Self.callTimeout, as: AgentFault.self)
        }
    }

    /// `DELETE /v1/faults/ID`: ends the fault now (idempotent).
    public func end(_ id: String) async throws -> AgentFault {
        try await named("DELETE /v1/faults/\(id)") {
            try await client.call("DELETE", "/v1/faults/\(id)", timeout: Self.callTimeout, as: AgentFault.self)
        }
    }

    /// `GET /v1/faults`: what the agent holds or held.
    public func faults() async throws -> [AgentFault] {
        try await named("GET /v1/faults") {
            try await client.call("GET", "/v1/faults", timeout: Self.callTimeout, as: [AgentFault].self)
        }
    }

    /// `GET /v1/health`, answered within `healthTimeout`.
    public func reach() async throws {
        try await named("GET /v1/health") {
            let (status, body) = try await client.request("GET", "/v1/health", timeout: Self.healthTimeout)
            try DaemonClient.check(status, body)
        }
    }

    /// `GET /v1/clock` `exchanges` times in a row: what the node's clock said and when each
    /// question went and its answer came on this clock.
    public func clockOffset(exchanges: Int = 5) async throws -> ClockOffset {
        try await named("GET /v1/clock") {
            var measured: [ClockOffset.Exchange] = []
            for _ in 0..<max(1, exchanges) {
                let sent = Date()
                let clock = try await client.call("GET", "/v1/clock", timeout: Self.healthTimeout, as: AgentClock.self)
                measured.append(ClockOffset.Exchange(sent: sent, remote: clock.date, received: Date()))
            }
            guard let offset = ClockOffset.estimate(measured) else {
                throw DaemonClient.Failure(description: "no usable answer (this host's clock went back during the exchanges)", exitCode: .infrastructure)
            }
            return offset
        }
    }

    /// How long a probe stream may stay silent (the agent sends a keep-alive every 3 s).
    static let probeStallTimeout: Duration = .seconds(10)

    /// `POST /v1/probes`: runs `request` on the node, handing each sample (the node's times) to
    /// `onSample` until the agent ends the stream or `stop` says so.
    public func probe(_ request: AgentProbeRequest, stop: @escaping @Sendable () -> Bool,
                      onSample: @escaping @Sendable (ProbeSample) -> Void) async throws {
        let unreadable = SharedFlag<String>()
        try await named("POST /v1/probes (\(request.name))") {
            try await client.follow("/v1/probes", method: "POST", body: Array(JSONCoding.encode(request)), stallTimeout: Self.probeStallTimeout,
                                    stop: { stop() || unreadable.value != nil }) { data in
                guard data != Array("{}".utf8) else { return }  // `event: end`
                do { onSample(try DaemonClient.decoder.decode(ProbeSample.self, from: Data(data))) } catch {
                    unreadable.set("a sample could not be read: \(error)")
                }
            }
            if let reason = unreadable.value { throw DaemonClient.Failure(description: reason, exitCode: .infrastructure) }
        }
    }

    private func named<T>(_ call: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let failure as DaemonClient.Failure {
            throw DaemonClient.Failure(description: "node '\(node)': \(call): \(failure.description)", exitCode: failure.exitCode)
        }
    }
}
