import Campaign
import Foundation

/// What the daemon keeps and tells about one run: persisted as JSON (one file per run) so runs and
/// their outcomes survive a daemon restart, and returned by the API.
public struct RunSummary: Codable, Sendable, Equatable {
    public let id: String
    public let campaign: String
    /// The file name the client gave, for reports.
    public let file: String
    public var status: RunStatus
    /// Why it ended as it did (the verdict's reason, the error, the interruption).
    public var reason: String?
    public let submittedAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    /// Journal and reports.
    public var directory: String?
    /// The schedule that started it, if any.
    public var schedule: String?
    /// Containers the plan touches (by name) and the number of planned faults.
    public var containers: [String]
    public var faults: Int
    /// The daemon process that ran it.
    public var daemonPID: Int32

    public init(id: String, campaign: String, file: String, status: RunStatus, submittedAt: Date, containers: [String],
                faults: Int, schedule: String? = nil, daemonPID: Int32 = getpid()) {
        self.id = id
        self.campaign = campaign
        self.file = file
        self.status = status
        self.submittedAt = submittedAt
        self.containers = containers
        self.faults = faults
        self.schedule = schedule
        self.daemonPID = daemonPID
    }

    enum CodingKeys: String, CodingKey {
        case id, campaign, file, status, reason, submittedAt = "submitted_at", startedAt = "started_at", endedAt = "ended_at"
        case directory, schedule, containers, faults, daemonPID = "daemon_pid"
    }
}
