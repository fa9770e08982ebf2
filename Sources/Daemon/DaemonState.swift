import DockerEngine
import Foundation

/// What the API's handlers reach: the runs, the schedules, the metrics, the engine.
public struct DaemonState: Sendable {
    public let registry: RunRegistry
    public let schedules: ScheduleBook
    public let metrics: DaemonMetrics
    public let engine: DockerEngineClient
    public let paths: DaemonPaths
    public let environment: [String: String]
    /// The faults coordinators asked this daemon for as a fleet's agent.
    public let faults: AgentFaults
    let startedAt = Date()

    public init(registry: RunRegistry, schedules: ScheduleBook, metrics: DaemonMetrics, engine: DockerEngineClient,
                paths: DaemonPaths, environment: [String: String], faults: AgentFaults) {
        self.faults = faults
        self.registry = registry
        self.schedules = schedules
        self.metrics = metrics
        self.engine = engine
        self.paths = paths
        self.environment = environment
    }

    /// `GET /v1/health`.
    public struct Health: Codable, Sendable {
        public let status: String
        public let pid: Int32
        public let uptimeSeconds: Double
        public let engine: String
        public let engineAPI: String
        public let runsActive: Int
        /// Faults held for coordinators.
        public let faultsHeld: Int
        public let schedules: Int
        public let stateDirectory: String

        enum CodingKeys: String, CodingKey {
            case status, pid, uptimeSeconds = "uptime_seconds", engine, engineAPI = "engine_api", runsActive = "runs_active"
            case faultsHeld = "faults_held"
            case schedules, stateDirectory = "state_directory"
        }
    }

    func health() async -> Health {
        var engineState = "ok"
        do { _ = try await engine.ping() } catch { engineState = "unreachable: \(error)" }
        return Health(status: engineState == "ok" ? "ok" : "degraded", pid: getpid(), uptimeSeconds: Date().timeIntervalSince(startedAt),
                      engine: engineState, engineAPI: engine.apiVersion, runsActive: await registry.activeCount,
                      faultsHeld: await faults.heldCount,
                      schedules: await schedules.list().count, stateDirectory: paths.stateDirectory)
    }
}
