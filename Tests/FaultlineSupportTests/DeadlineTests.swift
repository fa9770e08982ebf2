import FaultlineSupport
import Synchronization
import Testing

@Suite struct DeadlineTests {
    // Work that finishes in time returns its value.
    @Test func returnsValue() async throws {
        let value = try await runDetached("quick", limit: .seconds(5)) { 42 }
        #expect(value == 42)
    }

    // Work that overruns is reported as DeadlineExceeded naming the work, without waiting for it.
    @Test func timesOut() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await runDetached("slow revert", limit: .milliseconds(100)) {
                try? await Task.sleep(for: .seconds(3))
                return 1
            }
        }
        #expect(clock.now - started < .seconds(2))
    }

    // Cancelling the caller does not cancel the detached work: it runs to completion.
    @Test func survivesCallerCancellation() async throws {
        let finished = Flag()
        let caller = Task {
            try await runDetached("revert", limit: .seconds(5)) {
                try await Task.sleep(for: .milliseconds(200))  // would throw if cancellation leaked in
                finished.set()
                return true
            }
        }
        caller.cancel()
        let result = try await caller.value
        #expect(result)
        #expect(finished.isSet)
    }
}

/// A thread-safe boolean for tests.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
