import Foundation

/// A recurring campaign: when it fires (cron or a fixed interval, with optional jitter), whether
/// a firing is skipped while the previous run of this schedule still goes, and what happened last.
/// Persisted, so schedules survive a daemon restart.
public struct Schedule: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    /// The campaign text, its file and variables, as submitted.
    public let campaign: String
    public let file: String
    public let variables: [String: String]
    /// A cron expression (UTC) or an interval in seconds: exactly one is set.
    public let cron: String?
    public let everySeconds: Double?
    /// Each firing is delayed by a random 0…jitter.
    public let jitterSeconds: Double
    public let skipIfRunning: Bool
    public let createdAt: Date
    /// When it fires next: the planned time plus the jitter drawn for it.
    public var nextRun: Date?
    /// The planned time before jitter (intervals count from it, so jitter does not drift).
    public var plannedRun: Date?
    public var lastRun: String?
    public var lastFiredAt: Date?
    /// What the last firing did: `started run …`, `skipped: run … still going`, `refused: …`.
    public var lastOutcome: String?
    public var runs: Int = 0
    public var skipped: Int = 0
    /// Why the schedule no longer fires (its campaign stopped parsing or planning); nil while active.
    public var disabled: String?

    enum CodingKeys: String, CodingKey {
        case id, name, campaign, file, variables, cron, everySeconds = "every_seconds", jitterSeconds = "jitter_seconds"
        case skipIfRunning = "skip_if_running", createdAt = "created_at", nextRun = "next_run", plannedRun = "planned_run", lastRun = "last_run"
        case lastFiredAt = "last_fired_at", lastOutcome = "last_outcome", runs, skipped, disabled
    }

    init(id: String, name: String, campaign: String, file: String, variables: [String: String], cron: String?,
         everySeconds: Double?, jitterSeconds: Double, skipIfRunning: Bool, createdAt: Date) {
        self.id = id
        self.name = name
        self.campaign = campaign
        self.file = file
        self.variables = variables
        self.cron = cron
        self.everySeconds = everySeconds
        self.jitterSeconds = jitterSeconds
        self.skipIfRunning = skipIfRunning
        self.createdAt = createdAt
    }

    /// The next planned firing after `date` (before jitter).
    func plannedFiring(after date: Date) -> Date? {
        if let cron, let expression = try? CronExpression(cron) { return expression.next(after: date) }
        if let everySeconds { return date.addingTimeInterval(everySeconds) }
        return nil
    }

    /// Plans the firing after `date` and draws its jitter. A planned time already past `now` (the
    /// daemon was down) is replaced by the next one after `now`: one catch-up firing, not every missed one.
    mutating func planNext(after date: Date, now: Date = Date()) {
        var planned = plannedFiring(after: date)
        if let time = planned, time <= now { planned = plannedFiring(after: now) }
        plannedRun = planned
        nextRun = planned.map { $0.addingTimeInterval(jitterSeconds > 0 ? Double.random(in: 0...jitterSeconds) : 0) }
    }

    /// What the API lists (the schedule without its campaign text).
    public var listing: ScheduleListing {
        ScheduleListing(id: id, name: name, file: file, cron: cron, everySeconds: everySeconds, jitterSeconds: jitterSeconds,
                        skipIfRunning: skipIfRunning, nextRun: nextRun, lastRun: lastRun, lastOutcome: lastOutcome, runs: runs, skipped: skipped,
                        disabled: disabled)
    }
}

/// A schedule as `GET /v1/schedules` lists it.
public struct ScheduleListing: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let file: String
    public let cron: String?
    public let everySeconds: Double?
    public let jitterSeconds: Double
    public let skipIfRunning: Bool
    public let nextRun: Date?
    public let lastRun: String?
    public let lastOutcome: String?
    public let runs: Int
    public let skipped: Int
    /// Why it no longer fires, when it does not.
    public let disabled: String?

    enum CodingKeys: String, CodingKey {
        case id, name, file, cron, everySeconds = "every_seconds", jitterSeconds = "jitter_seconds", skipIfRunning = "skip_if_running"
        case nextRun = "next_run", lastRun = "last_run", lastOutcome = "last_outcome", runs, skipped, disabled
    }
}

/// `POST /v1/schedules`: a campaign and when to run it.
public struct ScheduleRequest: Codable, Sendable {
    public var name: String?
    public var campaign: String
    public var file: String?
    public var variables: [String: String]?
    /// Cron (UTC), or `every` as a duration (`10m`, `1h30m`).
    public var cron: String?
    public var every: String?
    public var jitter: String?
    /// Default true: a firing while the previous run of this schedule still goes is skipped.
    public var skipIfRunning: Bool?

    public init(name: String? = nil, campaign: String, file: String? = nil, variables: [String: String]? = nil,
                cron: String? = nil, every: String? = nil, jitter: String? = nil, skipIfRunning: Bool? = nil) {
        self.name = name
        self.campaign = campaign
        self.file = file
        self.variables = variables
        self.cron = cron
        self.every = every
        self.jitter = jitter
        self.skipIfRunning = skipIfRunning
    }

    enum CodingKeys: String, CodingKey {
        case name, campaign, file, variables, cron, every, jitter, skipIfRunning = "skip_if_running"
    }
}
