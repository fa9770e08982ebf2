import Faults
import Foundation

/// One warden per state directory: an exclusive `flock` on `warden.lock`, held while the warden
/// watches (the kernel drops it however the warden dies); the file holds the warden's pid.
///
/// A starter (`inject`, `run`, the daemon) that finds a live warden holding it starts none
/// (`isWatched`); that is safe because a warden gives the lock up only through `giveUp()`, which
/// looks at the heartbeats and the ledger again *after* unlocking: a starter writes its heartbeat
/// before it looks at the lock, so either it found the lock free and starts a warden of its own,
/// or the warden's second look finds its heartbeat and the warden watches on.
public final class WardenLock: Sendable {
    let path: String
    private let descriptor: Int32

    /// How long a new warden waits for a holder that has died but still holds the lock (after
    /// SIGKILL the process is a zombie at once; its last thread drops its files a moment later).
    static let exitingHolderWait: Duration = .seconds(10)

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    static func path(in stateDirectory: String) -> String { stateDirectory + "/warden.lock" }

    /// Takes the lock for this process; nil when a live warden holds it.
    static func acquire(in stateDirectory: String) throws -> WardenLock? {
        let path = path(in: stateDirectory)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw DaemonService.StartError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        let lock = WardenLock(path: path, descriptor: descriptor)
        let clock = ContinuousClock()
        let deadline = clock.now + exitingHolderWait
        while !lock.take() {
            guard let holder = holder(of: path), !ProcessOwner.isRunning(holder), clock.now < deadline else { return nil }
            usleep(20_000)
        }
        return lock
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
        return holder(of: path).map(ProcessOwner.isRunning) ?? false
    }

    /// Unlocks, so that a warden that finds the directory idle can end; `retake()` if its second
    /// look finds something to watch after all.
    func giveUp() { flock(descriptor, LOCK_UN) }

    /// Takes the lock again after `giveUp()`; false when another warden has it now.
    func retake() -> Bool { take() }

    private func take() -> Bool {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return false }
        ftruncate(descriptor, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return true
    }

    private static func holder(of path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
