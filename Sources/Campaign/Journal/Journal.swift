import FaultlineSupport
import Foundation
import Synchronization

/// A run's append-only journal: one JSON line per record (`AppendOnlyLines`, as the ledger), each
/// fsynced before the next is written. Writes happen in order on a serial queue of their own
/// (never the cooperative pool). The first record that cannot be written stops the journal and is
/// reported to `onFailure` (the runner aborts the run and reverts everything: a run whose evidence
/// is not kept must not go on).
public final class Journal: Sendable {
    public let path: String
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "faultline.journal")
    private let state = Mutex<(failure: String?, onFailure: (@Sendable (String) -> Void)?)>((nil, nil))

    /// Creates a new journal (`existing`: appends to one a run already wrote). Never follows a
    /// symlink, and never takes over a file it did not create.
    public init(path: String, existing: Bool = false) throws {
        self.path = path
        let flags = O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (existing ? 0 : O_CREAT | O_EXCL)
        descriptor = open(path, flags, 0o600)
        guard descriptor >= 0 else {
            throw CampaignRunError.journal("cannot \(existing ? "open" : "create") \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Milliseconds matter (samples are compared with engine events): ISO-8601 with fractions.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.iso8601(date))
        }
        return encoder
    }

    /// Why the journal stopped being written, if it did.
    public var failure: String? { state.withLock { $0.failure } }

    /// Called once, on the journal's queue, when a record cannot be written.
    public func onFailure(_ handler: @escaping @Sendable (String) -> Void) {
        let already = state.withLock { state -> String? in
            state.onFailure = handler
            return state.failure
        }
        if let already { handler(already) }
    }

    /// Queues a record; it is on disk (fsynced) before any later record.
    public func append(_ record: JournalRecord) { append([record]) }

    /// Queues records written together: one write and one fsync for all of them (a run's opening
    /// records), each on disk before any later record.
    public func append(_ records: [JournalRecord]) {
        let encoder = Self.encoder()
        let lines = records.compactMap { try? encoder.encode($0) }
        guard !lines.isEmpty else { return }
        let line = Data(lines.joined(separator: [UInt8(ascii: "\n")]))
        queue.async { [self] in
            guard state.withLock({ $0.failure == nil }) else { return }
            guard let failed = AppendOnlyLines.append(line, to: descriptor) else { return }
            let reason = "journal \(path): \(failed)"
            let handler = state.withLock { state -> (@Sendable (String) -> Void)? in
                state.failure = reason
                return state.onFailure
            }
            handler?(reason)
        }
    }

    /// Waits until every queued record is on disk.
    public func flush() async {
        await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
    }

    /// Every record of a journal file, in order (a torn last line is skipped).
    public static func read(_ path: String) throws -> [JournalRecord] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CampaignRunError.journal("cannot read \(path)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 time: \(text)")
            }
            return date
        }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(JournalRecord.self, from: Data($0)) }
    }
}
