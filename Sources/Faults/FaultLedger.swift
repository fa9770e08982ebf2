import Foundation
import FaultlineSupport

/// The write-ahead fault ledger: `ledger.jsonl` in the state directory.
///
/// Every append takes an exclusive `flock`, writes one line and `fsync`s before returning, so a
/// record that `append` returned from survives a SIGKILL or a power cut, and several faultline
/// processes can share one ledger.
public final class FaultLedger: Sendable {
    public let directory: String
    public let path: String
    /// A ledger with no open entries is truncated when it grows past this size.
    let compactAbove: Int

    public init(stateDirectory: String, compactAbove: Int = 4 << 20) throws(LedgerError) {
        self.directory = stateDirectory
        self.path = stateDirectory + "/ledger.jsonl"
        self.compactAbove = compactAbove
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw LedgerError(path: path, operation: "create the state directory", reason: error.localizedDescription)
        }
    }

    /// The state directory faultline uses when none is given: `FAULTLINE_STATE_DIR`, else
    /// `/var/lib/faultline` for root, else `$XDG_STATE_HOME/faultline` or `~/.local/state/faultline`.
    public static func defaultStateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["FAULTLINE_STATE_DIR"], !explicit.isEmpty { return explicit }
        if getuid() == 0 { return "/var/lib/faultline" }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/faultline" }
        return (environment["HOME"] ?? "/tmp") + "/.local/state/faultline"
    }

    /// Appends one record durably (flock, write, fsync), off the cooperative pool.
    public func append(_ record: LedgerRecord) async throws(LedgerError) {
        let result: Result<Void, LedgerError> = await BlockingIO.run { [self] in
            Result { () throws(LedgerError) in try appendBlocking(record) }
        }
        try result.get()
    }

    /// The same on the calling thread.
    public func appendBlocking(_ record: LedgerRecord) throws(LedgerError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(record) else {
            throw LedgerError(path: path, operation: "encode a record", reason: "unencodable record")
        }
        line.append(UInt8(ascii: "\n"))
        let created = !FileManager.default.fileExists(atPath: path)
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("open for appending") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw failure("lock") }
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { throw failure("write") }
        guard fsync(descriptor) == 0 else { throw failure("fsync") }
        if created { syncDirectory() }
    }

    /// Every record in file order. A torn last line (a crash mid-write) is ignored.
    public func records() throws(LedgerError) -> [LedgerRecord] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LedgerError(path: path, operation: "read", reason: "unreadable")
        }
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(LedgerRecord.self, from: Data($0)) }
    }

    /// Every fault the ledger knows, oldest first.
    public func entries() throws(LedgerError) -> [LedgerEntry] { LedgerEntry.fold(try records()) }

    /// Faults not yet reverted.
    public func openEntries() throws(LedgerError) -> [LedgerEntry] { try entries().filter(\.isOpen) }

    /// Truncates the ledger when it is large and every entry in it is closed (under the same lock
    /// appends take, so no record is lost).
    public func compactIfIdle() {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { return }
        var info = stat()
        guard fstat(descriptor, &info) == 0, Int(info.st_size) > compactAbove else { return }
        guard let open = try? openEntries(), open.isEmpty else { return }
        _ = ftruncate(descriptor, 0)
        _ = fsync(descriptor)
    }

    /// Holds an exclusive lock on `recover.lock` for the duration of `body` (one recovery at a time).
    public func withRecoveryLock<T>(_ body: () async throws -> T) async throws -> T {
        let lockPath = directory + "/recover.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
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
