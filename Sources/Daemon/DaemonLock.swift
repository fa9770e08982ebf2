import Foundation

/// One daemon per state directory: `daemon.lock` (a `PidLockFile`), held for the process's life.
struct DaemonLock: Sendable {
    let file: PidLockFile

    static func acquire(in directory: String) throws -> DaemonLock {
        let file = try PidLockFile(path: directory + "/daemon.lock")
        if let holder = file.acquire() {
            let still = holder.exited ? " (it has died but still holds the lock after \(PidLockFile.exitingHolderWait))" : ""
            throw DaemonService.StartError(description: "another faultline daemon (pid \(holder.pid.map(String.init) ?? "?"))\(still) uses the state directory \(directory); stop it first or give --state-dir")
        }
        return DaemonLock(file: file)
    }

    func release() { file.unlock() }
}
