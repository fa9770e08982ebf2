import Foundation
import Logging
import ServiceLifecycle

/// Fires due schedules: submits the campaign (queued behind a conflicting run rather than
/// refused), or skips the firing while the schedule's previous run still goes when it asks to.
/// A schedule that was due while the daemon was down fires once at start-up.
struct ScheduleService: Service {
    let book: ScheduleBook
    let registry: RunRegistry
    let logger: Logger
    /// The longest sleep between looks (a schedule added meanwhile is seen within it).
    static let tick: Duration = .milliseconds(250)

    func run() async throws {
        await book.load()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await fireDue()
            try? await Task.sleep(for: Self.tick)
        }
    }

    func fireDue(at now: Date = Date()) async {
        for schedule in await book.due(at: now) {
            if schedule.skipIfRunning, await registry.hasActiveRun(ofSchedule: schedule.id) {
                let outcome = "skipped: run \(schedule.lastRun ?? "?") of this schedule is still going"
                logger.info("schedule skipped", metadata: ["schedule": "\(schedule.id)", "reason": "\(outcome)"])
                await book.fired(schedule.id, at: now, run: nil, outcome: outcome, skipped: true)
                continue
            }
            let request = SubmitRequest(campaign: schedule.campaign, file: schedule.file, variables: schedule.variables, queue: true)
            do {
                let run = try await registry.submit(request, schedule: schedule.id)
                await book.fired(schedule.id, at: now, run: run.id, outcome: "started run \(run.id) (\(run.status.rawValue))", skipped: false)
            } catch {
                // A campaign that no longer parses (400) or plans (422) would be refused at every firing: disabled, with why.
                let disable = [400, 422].contains(error.status) ? "disabled: its campaign was refused (\(error.message)); add it again once fixed" : nil
                logger.warning("schedule could not start its run", metadata: ["schedule": "\(schedule.id)", "error": "\(error.message)",
                                                                               "disabled": "\(disable != nil)"])
                await book.fired(schedule.id, at: now, run: nil, outcome: "refused: \(error.message)", skipped: false, disable: disable)
            }
        }
    }
}
