import Campaign
import FaultlineSupport
import Foundation
import Logging

/// The daemon's schedules: validated when added (campaign, cron or interval), kept in one JSON
/// file replaced atomically at every change, fired by `ScheduleService`.
public actor ScheduleBook {
    nonisolated let path: String
    let logger: Logger
    private var schedules: [String: Schedule] = [:]

    /// The shortest interval a schedule may have.
    static let minimumInterval: Double = 1

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Reads the file (an unreadable one is reported and kept aside, never overwritten silently).
    public func load() {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        do {
            let list = try JSONCoding.decoder().decode([Schedule].self, from: data)
            schedules = Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0) })
        } catch {
            let aside = path + ".unreadable-" + RunDirectoryName.timestamp(Date())
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            logger.error("the schedules file could not be read; it was moved aside and no schedule is loaded",
                         metadata: ["file": "\(aside)", "error": "\(error)"])
        }
    }

    private func save() {
        let list = schedules.values.sorted { $0.createdAt < $1.createdAt }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try JSONCoding.encode(list, pretty: true).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            logger.error("could not save the schedules", metadata: ["error": "\(error)"])
        }
    }

    /// Checks and adds a schedule; nothing is added when anything is wrong.
    public func add(_ request: ScheduleRequest, environment: [String: String] = ProcessInfo.processInfo.environment) throws(APIError) -> Schedule {
        let file = request.file ?? "scheduled.yaml"
        let campaign = try SubmittedCampaign.parse(request.campaign, file: file, variables: request.variables, environment: environment)
        switch (request.cron, request.every) {
        case (nil, nil), (.some, .some):
            throw APIError.badRequest("give either 'cron' (five fields, UTC, e.g. \"*/15 * * * *\") or 'every' (a duration, e.g. \"10m\")")
        default: break
        }
        if let cron = request.cron {
            do {
                let expression = try CronExpression(cron)
                guard expression.next(after: Date()) != nil else { throw APIError.badRequest("cron '\(cron)' never fires") }
            } catch let error as CronExpression.ParseError {
                throw APIError.badRequest(error.description)
            } catch let error as APIError { throw error } catch { throw APIError.badRequest("\(error)") }
        }
        var every: Double?
        if let text = request.every {
            guard let interval = try? DurationText.parse(text) else { throw APIError.badRequest("every: '\(text)' is not a duration (e.g. 30s, 10m, 1h)") }
            guard interval.seconds >= Self.minimumInterval else { throw APIError.badRequest("every: \(text) is shorter than \(Int(Self.minimumInterval))s") }
            every = interval.seconds
        }
        var jitter = 0.0
        if let text = request.jitter {
            guard let parsed = try? DurationText.parse(text) else { throw APIError.badRequest("jitter: '\(text)' is not a duration") }
            jitter = parsed.seconds
        }
        let name = request.name ?? campaign.name
        var schedule = Schedule(id: "s-" + UUID().uuidString.prefix(8).lowercased(), name: name, campaign: request.campaign, file: file,
                                variables: request.variables ?? [:], cron: request.cron, everySeconds: every, jitterSeconds: jitter,
                                skipIfRunning: request.skipIfRunning ?? true, createdAt: Date())
        schedule.planNext(after: Date())
        schedules[schedule.id] = schedule
        save()
        logger.info("schedule added", metadata: ["schedule": "\(schedule.id)", "name": "\(name)"])
        return schedule
    }

    public func remove(_ id: String) throws(APIError) -> Schedule {
        guard let schedule = schedules.removeValue(forKey: id) else {
            throw APIError.notFound("no schedule '\(id)'" + (schedules.isEmpty ? " (there are none)" : " (schedules: \(schedules.keys.sorted().joined(separator: ", ")))"))
        }
        save()
        return schedule
    }

    public func list() -> [Schedule] { schedules.values.sorted { $0.createdAt < $1.createdAt } }

    /// Schedules whose firing time has come.
    func due(at date: Date) -> [Schedule] { schedules.values.filter { $0.disabled == nil && ($0.nextRun ?? .distantFuture) <= date }.sorted { $0.createdAt < $1.createdAt } }

    /// When the earliest schedule fires next.
    var earliest: Date? { schedules.values.compactMap(\.nextRun).min() }

    /// Records a firing and plans the next one (from the planned time for intervals, so there is no drift).
    /// `disable` (a reason) stops it firing again: its campaign no longer parses or plans, and
    /// firing it again would only be refused again.
    func fired(_ id: String, at date: Date, run: String?, outcome: String, skipped: Bool, disable: String? = nil) {
        guard var schedule = schedules[id] else { return }
        schedule.lastFiredAt = date
        schedule.lastOutcome = outcome
        if let run { schedule.lastRun = run; schedule.runs += 1 }
        if skipped { schedule.skipped += 1 }
        if let disable {
            schedule.disabled = disable
            schedule.nextRun = nil
            schedule.plannedRun = nil
            schedules[id] = schedule
            save()
            return
        }
        schedule.planNext(after: schedule.plannedRun ?? date, now: date)
        schedules[id] = schedule
        save()
    }
}
