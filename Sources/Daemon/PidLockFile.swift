import Faults
import Foundation

/// A lock file one process holds for as long as it runs: an exclusive `flock` (the kernel drops it
/// when the process dies, however it dies), the file holding the holder's pid. `DaemonLock` and
/// `WardenLock` are the two.
final class PidLockFile: Sendable {
    let path: String
    private let descriptor: Int32

    /// How long to wait for a holder that has died but still holds the lock: after SIGKILL the
    /// thread-group leader is a zombie at once, while the other threads (one may be inside an
    /// fsync or an engine call) finish exiting and only the last one drops the open files.
    static let exitingHolderWait: Duration = .seconds(10)

    /// Who holds the lock when this process could not take it.
    struct Holder {
        /// The pid the file names (nil while a holder is still writing it).
        let pid: Int32?
        /// It has died but still held the lock after `exitingHolderWait`.
        let exited: Bool
    }

    /// Opens (creates, 0600, never through a symlink) the lock file at `path`.
    init(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw DaemonService.StartError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Takes the lock and writes this process's pid into the file; a holder that has died but still
    /// holds it is waited for, a live one refuses at once. Nil when taken, otherwise the holder.
    func acquire() -> Holder? {
        let clock = ContinuousClock()
        let deadline = clock.now + Self.exitingHolderWait
        while !take() {
            let pid = Self.holder(of: path)
            let exited = pid.map { !ProcessOwner.isRunning($0) } ?? false
            guard exited, clock.now < deadline else { return Holder(pid: pid, exited: exited) }
            usleep(20_000)
        }
        return nil
    }

    /// One try at the lock, writing this process's pid into the file when it is taken.
    func take() -> Bool {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else { return false }
        ftruncate(descriptor, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return true
    }

    func unlock() { flock(descriptor, LOCK_UN) }

    /// The pid the lock file at `path` names.
    static func holder(of path: String) -> Int32? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
