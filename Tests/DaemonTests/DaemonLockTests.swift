@testable import Daemon
import Foundation
import Testing

@Suite struct DaemonLockTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "fl-lock-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Holds the lock on its own open file description, as another process would, with `pid` written in.
    static func hold(in directory: String, pid: Int32) -> Int32 {
        let descriptor = open(directory + "/daemon.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let text = "\(pid)\n"
        _ = text.withCString { write(descriptor, $0, strlen($0)) }
        return descriptor
    }

    /// A pid that ran and has been reaped: no process has it now.
    static func finishedPid() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    // A live holder is refused at once, with its pid named.
    @Test func refusesALiveHolder() throws {
        let directory = try Self.directory()
        let held = Self.hold(in: directory, pid: getpid())
        defer { close(held) }
        let clock = ContinuousClock()
        let started = clock.now
        #expect {
            _ = try DaemonLock.acquire(in: directory)
        } throws: { error in
            "\(error)".contains("another faultline daemon (pid \(getpid())) uses the state directory \(directory)")
        }
        #expect(clock.now - started < .seconds(1), "a live holder must not be waited for")
    }

    // A holder that has died but whose threads still hold the lock (SIGKILL mid-fsync) is waited
    // for: the lock is taken once it drops, and the file then holds this pid.
    @Test func waitsForAnExitingHolder() throws {
        let directory = try Self.directory()
        let held = Self.hold(in: directory, pid: try Self.finishedPid())
        let clock = ContinuousClock()
        let started = clock.now
        Thread.detachNewThread { usleep(400_000); close(held) }
        let lock = try DaemonLock.acquire(in: directory)
        defer { lock.release() }
        #expect(clock.now - started >= .milliseconds(350))
        let written = try String(contentsOfFile: directory + "/daemon.lock", encoding: .utf8)
        #expect(written == "\(getpid())\n")
    }
}
