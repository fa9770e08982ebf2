import Campaign
import Foundation

/// What one finished run of a campaign measured, per window and probe — an entry of
/// `GET /v1/campaigns/{name}/history` (oldest first), so a campaign's recovery can be followed
/// from run to run and release to release.
public struct CampaignHistoryEntry: Codable, Sendable, Equatable {
    public let id: String
    public let status: RunStatus
    public let endedAt: Date?
    public let figures: [RecoveryFigure]

    enum CodingKeys: String, CodingKey { case id, status, endedAt = "ended_at", figures }

    /// The entry of a finished run, its figures computed from the run's journal (nil: no journal).
    static func load(_ summary: RunSummary) -> CampaignHistoryEntry? {
        guard let directory = summary.directory, let record = try? RunRecord.load(directory: directory) else { return nil }
        return CampaignHistoryEntry(id: summary.id, status: summary.status, endedAt: summary.endedAt,
                                    figures: RecoveryFigure.of(ReportWriter.figures(for: record)))
    }
}

/// A campaign's history: its finished runs the daemon knows, oldest first, at most `limit`.
public enum CampaignHistory {
    public static let limit = 100

    public static func of(_ campaign: String, runs: [RunSummary]) throws(APIError) -> [CampaignHistoryEntry] {
        let finished = runs.filter { $0.campaign == campaign && $0.status.isFinished }
        guard !finished.isEmpty else {
            let known = Set(runs.map(\.campaign)).sorted()
            throw APIError.notFound("no finished run of campaign '\(campaign)' (campaigns: \(known.isEmpty ? "none yet" : known.joined(separator: ", ")))")
        }
        return finished.suffix(limit).compactMap(CampaignHistoryEntry.load)
    }
}
