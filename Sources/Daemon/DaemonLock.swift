import Faults
import Foundation

/// One daemon per state directory: an exclusive `flock` on `daemon.lock`, held for the process's
/// life (the kernel drops it when the process dies, however it dies). The file holds the pid.
struct DaemonLock: Sendable {
    let descriptor: Int32

    /// How long to wait for a holder that has died but still holds the lock: after SIGKILL the
    /// thread-group leader is a zombie at once, while the other threads (one may be inside an
    /// fsync or an engine call) finish exiting and only the last one drops the open files.
    static let exitingHolderWait: Duration = .seconds(10)

    static func acquire(in directory: String) throws -> DaemonLock {
        let path = directory + "/daemon.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw DaemonService.StartError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + exitingHolderWait
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let exiting = Int32(holder).map { !ProcessOwner.isRunning($0) } ?? false
            guard exiting, clock.now < deadline else {
                close(descriptor)
                let still = exiting ? " (it has died but still holds the lock after \(exitingHolderWait))" : ""
                throw DaemonService.StartError(description: "another faultline daemon (pid \(holder.isEmpty ? "?" : holder))\(still) uses the state directory \(directory); stop it first or give --state-dir")
            }
            usleep(20_000)
        }
        ftruncate(descriptor, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        return DaemonLock(descriptor: descriptor)
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
