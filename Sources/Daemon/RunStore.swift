import Foundation
import Logging

/// The daemon's run records on disk: one JSON file per run, replaced atomically (write + rename)
/// at every status change, so a crash leaves either the old or the new record, never half of one.
struct RunStore: Sendable {
    let directory: String
    let logger: Logger

    init(directory: String, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.logger = logger
    }

    func save(_ run: RunSummary) {
        let path = directory + "/" + run.id + ".json"
        do {
            try JSONCoding.encode(run, pretty: true).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            logger.error("could not save the run record", metadata: ["run": "\(run.id)", "error": "\(error)"])
        }
    }

    /// Every record that can be read; unreadable files are reported and skipped.
    func loadAll() -> [RunSummary] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let decoder = JSONCoding.decoder()
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return nil }
            do {
                return try decoder.decode(RunSummary.self, from: data)
            } catch {
                logger.warning("skipping an unreadable run record", metadata: ["file": "\(name)", "error": "\(error)"])
                return nil
            }
        }.sorted { $0.submittedAt < $1.submittedAt }
    }
}
