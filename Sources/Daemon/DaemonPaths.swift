/// Where the daemon keeps its socket, run records, schedules and heartbeat, all under the state directory.
public struct DaemonPaths: Sendable, Equatable {
    public let stateDirectory: String

    public init(stateDirectory: String) { self.stateDirectory = stateDirectory }

    /// The API's unix socket (mode 0600).
    public var socket: String { stateDirectory + "/daemon.sock" }
    /// One JSON file per run the daemon knows.
    public var runRecords: String { stateDirectory + "/daemon/runs" }
    /// The schedules, one JSON file.
    public var schedules: String { stateDirectory + "/daemon/schedules.json" }
    /// Journals and reports of the daemon's runs.
    public var runsDirectory: String { stateDirectory + "/runs" }
    /// Heartbeat files of live faultline processes, one per pid, touched every second.
    public var heartbeats: String { stateDirectory + "/heartbeats" }
}
