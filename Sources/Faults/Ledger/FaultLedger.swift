import Foundation
import FaultlineSupport
import Synchronization

/// The write-ahead fault ledger: `ledger.jsonl` in the state directory.
///
/// Every append takes an exclusive `flock` and writes one line, so several faultline processes can
/// share one ledger, and a record that `append` returned from survives a SIGKILL of this process.
/// An intent is also `fsync`ed before `append` returns (it survives a power cut before the engine
/// is called); what follows it (`injected`, `reverted`) is made durable in the background, off the
/// fault's path: lost to a power cut, such a record only makes recovery revert the fault once more,
/// and reverts are idempotent.
public final class FaultLedger: Sendable {
    public let directory: String
    public let path: String
    /// A ledger with no open entries is truncated when it grows past this size (64 KiB by default,
    /// ~100 faults: every `inject` reads the whole ledger at start, so it stays small).
    let compactAbove: Int
    /// A background fsync of records appended without one is queued (at most one waits at a time).
    private let backgroundSyncQueued = Atomic<Bool>(false)

    public init(stateDirectory: String, compactAbove: Int = 64 << 10) throws {
        self.directory = stateDirectory
        self.path = stateDirectory + "/ledger.jsonl"
        self.compactAbove = compactAbove
        do {
            try TrustedDirectory.prepare(stateDirectory, purpose: "state directory")
        } catch {
            throw LedgerError(path: path, operation: "use the state directory", reason: error.description)
        }
    }

    /// Whether `path` (or, where it is not there yet, its nearest existing parent) lies on the
    /// filesystem that holds the ledger: the same device.
    public func sharesFilesystem(with path: String) -> Bool {
        var ledger = stat(), other = stat()
        guard stat(directory, &ledger) == 0 else { return false }
        var candidate = path
        while stat(candidate, &other) != 0 {
            guard let slash = candidate.lastIndex(of: "/"), slash != candidate.startIndex else { return stat("/", &other) == 0 && ledger.st_dev == other.st_dev }
            candidate = String(candidate[..<slash])
        }
        return ledger.st_dev == other.st_dev
    }

    /// The state directory faultline uses when none is given: `FAULTLINE_STATE_DIR`, else
    /// `/var/lib/faultline` for root, else `$XDG_STATE_HOME/faultline` or `~/.local/state/faultline`.
    public static func defaultStateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["FAULTLINE_STATE_DIR"], !explicit.isEmpty { return explicit }
        if getuid() == 0 { return "/var/lib/faultline" }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/faultline" }
        return (environment["HOME"] ?? "/tmp") + "/.local/state/faultline"
    }

    /// Appends one record (flock, write; fsync before returning for an intent, soon after for the
    /// rest), off the cooperative pool.
    public func append(_ record: LedgerRecord) async throws(LedgerError) {
        let result: Result<Void, LedgerError> = await BlockingIO.run { [self] in
            Result { () throws(LedgerError) in try appendBlocking(record) }
        }
        try result.get()
    }

    /// Whether `record` must be on disk before `append` returns: an intent, since the engine is called
    /// next, and a failed revert, which leaves the fault open. The others follow a durable intent.
    static func syncsBeforeReturning(_ record: LedgerRecord) -> Bool {
        record.event != .injected && record.event != .reverted
    }

    /// The same on the calling thread, under the ledger's lock (`AppendOnlyLines`: a line of its
    /// own, all or nothing), so no record is ever glued to another.
    public func appendBlocking(_ record: LedgerRecord) throws(LedgerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let line = try? encoder.encode(record) else {
            throw LedgerError(path: path, operation: "encode a record", reason: "unencodable record")
        }
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw failure("open for appending") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw failure("lock") }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw failure("stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG, info.st_nlink == 1 else {
            throw LedgerError(path: path, operation: "open for appending", reason: "not a regular file of its own (a link?)")
        }
        let syncNow = Self.syncsBeforeReturning(record)
        if let failed = AppendOnlyLines.append(line, to: descriptor, sync: syncNow) {
            throw LedgerError(path: path, operation: failed.operation, reason: failed.reason)
        }
        if info.st_size == 0 { syncDirectory() }
        if !syncNow { syncInBackground() }
    }

    /// fsyncs the ledger soon, on a thread of its own; appends meanwhile do not wait for it.
    private func syncInBackground() {
        guard !backgroundSyncQueued.exchange(true, ordering: .acquiringAndReleasing) else { return }
        DispatchQueue(label: "faultline.ledger-sync").async { [self] in
            // Cleared before the fsync: a record appended while it runs queues the next one.
            backgroundSyncQueued.store(false, ordering: .releasing)
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { return }
            _ = fsync(descriptor)
            close(descriptor)
        }
    }

    /// A ledger line that is not a record: a crash tore it, or someone edited the file.
    public struct UnreadableLine: Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number in the file.
        public let number: Int
        /// Its first characters, for the report.
        public let start: String
        public var description: String { "line \(number): \(start)" }
    }

    /// What the ledger holds: every record, and the lines that could not be read. An unreadable line
    /// never hides the records after it.
    public struct Contents: Sendable {
        public var records: [LedgerRecord] = []
        public var unreadable: [UnreadableLine] = []
    }

    /// Reads the whole ledger (not following a symlink).
    public func read() throws(LedgerError) -> Contents {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if descriptor < 0 {
            if errno == ENOENT { return Contents() }
            throw failure("open for reading")
        }
        defer { close(descriptor) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure("read") }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        let decoder = JSONDecoder()
        var contents = Contents()
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            if let record = try? decoder.decode(LedgerRecord.self, from: Data(line)) {
                contents.records.append(record)
            } else {
                let text = String(decoding: line.prefix(80), as: UTF8.self).map { $0.isASCII && !$0.isNewline && ($0.asciiValue ?? 0) >= 32 ? $0 : "?" }
                contents.unreadable.append(UnreadableLine(number: index + 1, start: String(text)))
            }
        }
        return contents
    }

    /// Every record in file order; lines that are not records are skipped (see `read()`).
    public func records() throws(LedgerError) -> [LedgerRecord] { try read().records }

    /// Every fault the ledger knows, oldest first.
    public func entries() throws(LedgerError) -> [LedgerEntry] { LedgerEntry.fold(try records()) }

    /// Faults not yet reverted.
    public func openEntries() throws(LedgerError) -> [LedgerEntry] { try entries().filter(\.isOpen) }

    /// Truncates the ledger when it is large and every entry in it is closed (under the same lock
    /// appends take, so no record is lost).
    public func compactIfIdle() {
        let descriptor = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { return }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_nlink == 1,
              Int(info.st_size) > compactAbove else { return }
        guard let open = try? openEntries(), open.isEmpty else { return }
        _ = ftruncate(descriptor, 0)
        _ = fsync(descriptor)
    }

    /// Holds an exclusive lock on `recover.lock` for the duration of `body` (one recovery at a time).
    public func withRecoveryLock<T>(_ body: () async throws -> T) async throws -> T {
        let lockPath = directory + "/recover.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw failure("open \(lockPath)") }
        defer { close(descriptor) }
        // Waiting for another process's recovery happens off the cooperative pool.
        let locked = await BlockingIO.run { flock(descriptor, LOCK_EX) == 0 }
        guard locked else { throw failure("lock \(lockPath)") }
        return try await body()
    }

    private func syncDirectory() {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    private func failure(_ operation: String) -> LedgerError {
        LedgerError(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
