import Faults
import Foundation

/// One warden per state directory: `warden.lock` (a `PidLockFile`), held while the warden watches.
///
/// A starter (`inject`, `run`, the daemon) that finds a live warden holding it starts none
/// (`isWatched`); that is safe because a warden gives the lock up only through `giveUp()`, and then
/// looks at the heartbeats and the ledger again *after* unlocking: a starter writes its heartbeat
/// before it looks at the lock, so either it found the lock free and starts a warden of its own,
/// or the warden's second look finds its heartbeat and the warden takes the lock again.
public final class WardenLock: Sendable {
    private let file: PidLockFile

    private init(file: PidLockFile) { self.file = file }

    static func path(in stateDirectory: String) -> String { stateDirectory + "/warden.lock" }

    /// Takes the lock for this process; nil when a live warden holds it.
    static func acquire(in stateDirectory: String) throws -> WardenLock? {
        let file = try PidLockFile(path: path(in: stateDirectory))
        return file.acquire() == nil ? WardenLock(file: file) : nil
    }

    /// Whether a live warden watches `stateDirectory` now. Call it after this process's heartbeat
    /// is written (see the type's comment).
    public static func isWatched(_ stateDirectory: String) -> Bool {
        let path = path(in: stateDirectory)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        // Held; by a warden that runs (not one killed a moment ago whose files are still open).
        return watcher(of: stateDirectory).map(ProcessOwner.isRunning) ?? false
    }

    /// The pid of the warden that holds (or last held) the directory's lock.
    public static func watcher(of stateDirectory: String) -> Int32? { PidLockFile.holder(of: path(in: stateDirectory)) }

    /// Unlocks, so that a warden that finds the directory idle can end; `retake()` if its second
    /// look finds something to watch after all.
    func giveUp() { file.unlock() }

    /// Takes the lock again after `giveUp()`; false when another warden has it now.
    func retake() -> Bool { file.take() }
}
