import FaultlineSupport
import Faults
import Foundation
import Probes

/// The machine-readable summary: verdict, checks, windows and figures.
enum JSONReport {
    struct Document: Encodable {
        let name: String
        let file: String
        let startedAt: String
        let verdict: String
        let reason: String
        let checks: [CheckResult]
        let windows: [Window]
        let figures: [Figure]
        let nodeProbes: [NodeProbeClock]
    }

    /// A probe a fleet node ran; its samples were corrected by `clockOffsetMS`.
    struct NodeProbeClock: Encodable {
        let probe: String
        let node: String
        let clockOffsetMS: Double
        let clockUncertaintyMS: Double
    }

    struct Window: Encodable {
        let index: Int
        let kind: String
        let summary: String
        let target: String
        let container: String
        let injectMS: Double
        let revertMS: Double?
        let outcome: String?
        /// The packet engine's counts of the window: seen, delayed, dropped, duplicated, corrupted …
        let packets: PacketCounts?
        let error: String?
        /// A Swarm task the fault ended and its replacement.
        let reschedule: RescheduleFigure?
    }

    struct RescheduleFigure: Encodable {
        let service: String
        let slot: Int?
        let oldTask: String
        let newTask: String?
        let node: String?
        let seenAfterMS: Double?
        let swarmAfterMS: Double?

        init(_ reschedule: Reschedule) {
            service = reschedule.service
            slot = reschedule.slot
            oldTask = reschedule.oldTask
            newTask = reschedule.newTask
            node = reschedule.node
            seenAfterMS = reschedule.seenAfter?.milliseconds
            swarmAfterMS = reschedule.swarmAfter?.milliseconds
        }
    }

    /// An instant known within bounds, in ms after the inject (a duration for downtime).
    struct BracketMS: Codable {
        let earliest: Double
        let latest: Double
        let estimate: Double
        let uncertainty: Double

        init(_ bracket: Impact.Bracket) {
            earliest = bracket.earliest.milliseconds
            latest = bracket.latest.milliseconds
            estimate = bracket.estimate.milliseconds
            uncertainty = bracket.uncertainty.milliseconds
        }
    }

    /// A window × probe's figures. Read back too (the trend over earlier runs), so its keys are
    /// spelled out: the encoder's snake case leaves them as they are.
    struct Figure: Codable {
        let probe: String
        let window: Int
        /// No check failed from the inject on: no onset, no recovery.
        let unaffected: Bool
        let onsetMS: BracketMS?
        let detectedMS: Double?
        let recoveredMS: BracketMS?
        let downtimeMS: BracketMS?
        let ttdMS: Double?
        /// Revert → first of K ok checks; null when unaffected.
        let ttrMS: Double?
        let errorRateBefore: Double
        let errorRateDuring: Double
        let errorRateAfter: Double
        let p50DuringMS: Double
        let p99DuringMS: Double
        let longestOutageMS: Double
        let retries: Int

        enum CodingKeys: String, CodingKey {
            case probe, window, unaffected, onsetMS = "onset_ms", detectedMS = "detected_ms", recoveredMS = "recovered_ms"
            case downtimeMS = "downtime_ms", ttdMS = "ttd_ms", ttrMS = "ttr_ms", errorRateBefore = "error_rate_before"
            case errorRateDuring = "error_rate_during", errorRateAfter = "error_rate_after", p50DuringMS = "p50_during_ms"
            case p99DuringMS = "p99_during_ms", longestOutageMS = "longest_outage_ms", retries
        }

        /// What the trend follows of it.
        var recoveryFigure: RecoveryFigure {
            RecoveryFigure(window: window, probe: probe, downtimeMS: downtimeMS?.estimate, backAfterRevertMS: ttrMS,
                           errorRateDuring: errorRateDuring, unaffected: unaffected, failed: onsetMS != nil,
                           recovered: onsetMS == nil || recoveredMS != nil)
        }
    }

    /// What is read back of a written report.json (the trend over earlier runs, the daemon's
    /// history): a small file, instead of the run's journal and its analysis.
    struct Stored: Decodable {
        let name: String
        let startedAt: String
        let verdict: String
        let figures: [Figure]

        enum CodingKeys: String, CodingKey { case name, startedAt = "started_at", verdict, figures }

        /// The report in run directory `directory` (nil: none, or not readable).
        static func read(_ directory: String) -> Stored? {
            FileManager.default.contents(atPath: directory + "/report.json").flatMap { try? JSONDecoder().decode(Stored.self, from: $0) }
        }
    }

    static func render(_ record: RunRecord, figures: [WindowFigures]) -> String {
        let document = Document(
            name: record.name, file: record.file, startedAt: Timestamp.iso8601(record.startedAt),
            verdict: record.verdict?.status.rawValue ?? "unknown", reason: record.verdict?.reason ?? "",
            checks: record.verdict?.checks ?? [],
            windows: record.windows.map {
                Window(index: $0.index, kind: $0.kind.rawValue, summary: $0.summary, target: $0.selector, container: $0.container,
                       injectMS: $0.injectAt.milliseconds, revertMS: $0.revertAt?.milliseconds, outcome: $0.outcome, packets: $0.packets, error: $0.error,
                       reschedule: $0.reschedule.map(RescheduleFigure.init))
            },
            figures: figures.map {
                Figure(probe: $0.probe, window: $0.window, unaffected: $0.unaffected, onsetMS: $0.impact.map { BracketMS($0.onset) },
                       detectedMS: $0.impact?.detected.milliseconds, recoveredMS: $0.impact?.recovered.map(BracketMS.init),
                       downtimeMS: $0.impact?.downtime.map(BracketMS.init),
                       ttdMS: $0.timeToDetect?.milliseconds, ttrMS: $0.unaffected ? nil : $0.timeToRecover?.milliseconds,
                       errorRateBefore: $0.before.errorRate, errorRateDuring: $0.during.errorRate, errorRateAfter: $0.after.errorRate,
                       p50DuringMS: $0.during.p50.milliseconds, p99DuringMS: $0.during.p99.milliseconds,
                       longestOutageMS: $0.longestOutage.milliseconds, retries: $0.retries)
            },
            nodeProbes: record.nodeProbes.map {
                NodeProbeClock(probe: $0.probe, node: $0.node, clockOffsetMS: $0.clock.offset.milliseconds,
                               clockUncertaintyMS: $0.clock.uncertainty.milliseconds)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(document)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
