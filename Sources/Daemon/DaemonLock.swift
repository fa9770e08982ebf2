import Foundation

/// One daemon per state directory: an exclusive `flock` on `daemon.lock`, held for the process's
/// life (the kernel drops it when the process dies, however it dies). The file holds the pid.
struct DaemonLock: Sendable {
    let descriptor: Int32

    static func acquire(in directory: String) throws -> DaemonLock {
        let path = directory + "/daemon.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw DaemonService.StartError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(descriptor)
            throw DaemonService.StartError(description: "another faultline daemon (pid \(holder)) uses the state directory \(directory); stop it first or give --state-dir")
        }
        ftruncate(descriptor, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        return DaemonLock(descriptor: descriptor)
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
