@testable import Daemon
import DockerEngine
import Foundation
import Synchronization
import TestSupport
import Testing

/// The warden's lock, its linger once idle, and the hand-over that lets a starter that finds it
/// watching start none (`WardenLock`).
@Suite struct WardenTests {
    struct NoEngine: Error {}

    static func warden(_ stateDirectory: String, linger: Duration, beforeSecondLook: (@Sendable () -> Void)? = nil) -> Warden {
        var warden = Warden(stateDirectory: stateDirectory, logger: .init(label: "test"))
        warden.interval = .milliseconds(20)
        warden.linger = linger
        warden.beforeSecondLook = beforeSecondLook
        return warden
    }

    static func start(_ warden: Warden) -> Task<Warden.Exit, any Error> {
        Task { try await warden.run { throw NoEngine() } }
    }

    /// Waits (bounded) until the warden holds the lock.
    static func untilWatched(_ stateDirectory: String) async throws {
        for _ in 0..<250 where !WardenLock.isWatched(stateDirectory) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(WardenLock.isWatched(stateDirectory))
    }

    // Nothing watches a directory without a lock file or with a free lock; a second warden finds
    // the first's lock and does not watch; once the first ends, nothing watches.
    @Test func oneWardenPerDirectory() async throws {
        let state = temporaryStateDirectory()
        #expect(!WardenLock.isWatched(state))
        let heartbeat = Heartbeat(directory: DaemonPaths(stateDirectory: state).heartbeats)
        heartbeat.beat()
        let first = Self.start(Self.warden(state, linger: .zero))
        try await Self.untilWatched(state)
        #expect(try String(contentsOfFile: WardenLock.path(in: state), encoding: .utf8) == "\(getpid())\n")
        #expect(try await Self.warden(state, linger: .zero).run { throw NoEngine() } == .alreadyWatched)
        heartbeat.remove()
        #expect(try await first.value == .nothingLeft)
        #expect(!WardenLock.isWatched(state))
    }

    // Idle, it stays for its linger and then ends.
    @Test func lingersOnceIdle() async throws {
        let state = temporaryStateDirectory()
        let clock = ContinuousClock()
        let started = clock.now
        let warden = Self.start(Self.warden(state, linger: .milliseconds(600)))
        try await Self.untilWatched(state)
        try await Task.sleep(for: .milliseconds(200))
        #expect(WardenLock.isWatched(state), "ended before its linger")
        #expect(try await warden.value == .nothingLeft)
        #expect(clock.now - started >= .milliseconds(600))
    }

    // A starter that found the lock held (and so started no warden) beats before the warden's second
    // look: the warden takes the lock again and watches it until it stops beating.
    @Test func aStarterThatCameDuringTheEndIsWatched() async throws {
        let state = temporaryStateDirectory()
        let starter = Heartbeat(directory: DaemonPaths(stateDirectory: state).heartbeats)
        let looked = Flag()
        let warden = Self.start(Self.warden(state, linger: .zero, beforeSecondLook: {
            if looked.set() { starter.beat() }
        }))
        for _ in 0..<250 where !looked.isSet { try await Task.sleep(for: .milliseconds(20)) }
        try await Self.untilWatched(state)
        try await Task.sleep(for: .milliseconds(200))
        #expect(WardenLock.isWatched(state), "the warden ended although a starter beat")
        starter.remove()
        #expect(try await warden.value == .nothingLeft)
    }

    // If another warden took the lock while this one was ending, this one leaves it to that one.
    @Test func leavesTheDirectoryToAWardenThatTookOver() async throws {
        let state = temporaryStateDirectory()
        let starter = Heartbeat(directory: DaemonPaths(stateDirectory: state).heartbeats)
        let other = Mutex<WardenLock?>(nil)
        let warden = Self.start(Self.warden(state, linger: .zero, beforeSecondLook: {
            starter.beat()
            other.withLock { $0 = try? WardenLock.acquire(in: state) }
        }))
        #expect(try await warden.value == .alreadyWatched)
        #expect(other.withLock { $0 != nil })
        #expect(WardenLock.isWatched(state))
        starter.remove()
    }
}

/// Set once, from any thread.
final class Flag: Sendable {
    private let value = Mutex(false)
    /// True for the call that set it.
    func set() -> Bool { value.withLock { was in defer { was = true }; return !was } }
    var isSet: Bool { value.withLock { $0 } }
}
