import FaultlineSupport
import Foundation
import Glibc
import Synchronization
import Testing

@Suite struct ChildProcessTests {
    /// Runs `body` on a thread of its own that blocks every signal, as a Swift task's pool thread does.
    private func onThreadBlockingEverySignal<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var every = sigset_t()
            sigfillset(&every)
            pthread_sigmask(SIG_SETMASK, &every, nil)
            result.withLock { $0 = body() }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.withLock { $0! }
    }

    // A child starts with no signal blocked and none ignored, whatever the spawning thread blocked
    // and the parent ignored (SIGPIPE here).
    @Test func childStartsWithSignalsAtTheirDefaults() throws {
        signal(SIGPIPE, SIG_IGN)
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writeEnd = ends[1]
        let spawned = onThreadBlockingEverySignal {
            ChildProcess.spawn(["/bin/grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"], stdout: .descriptor(writeEnd))
        }
        close(ends[1])
        let pid = try spawned.get()
        let output = String(decoding: FileHandle(fileDescriptor: ends[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        #expect(ChildProcess.exitCode(of: ChildProcess.wait(pid)) == 0)
        #expect(Self.standardSignals(output, "SigBlk") == 0, "\(output)")
        #expect(Self.standardSignals(output, "SigIgn") == 0, "\(output)")
    }

    /// Signals 1–31 of a `/proc/PID/status` mask line (32 and up are glibc's own, set by glibc itself).
    private static func standardSignals(_ status: String, _ field: String) -> UInt64? {
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line.flatMap { UInt64($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }.map { $0 & 0x7fff_ffff }
    }

    // The SIGTERM a revert sends ends a helper that was started from a task.
    @Test func sigtermEndsAChildStartedFromAThreadThatBlocksIt() throws {
        let pid = try onThreadBlockingEverySignal { ChildProcess.spawn(["/bin/sleep", "30"]) }.get()
        #expect(kill(pid, SIGTERM) == 0)
        let ended = DispatchSemaphore(value: 0)
        let status = Mutex<Int32>(-1)
        Thread.detachNewThread {
            status.withLock { $0 = ChildProcess.wait(pid) }
            ended.signal()
        }
        if ended.wait(timeout: .now() + 5) == .timedOut {
            kill(pid, SIGKILL)
            ended.wait()
            Issue.record("sleep ignored SIGTERM for 5 s")
        }
        #expect(status.withLock { $0 } & 0x7f == SIGTERM)
    }
}
