import DockerEngine
@testable import Faults
import Foundation
import Logging
import Synchronization
import Testing

/// Reverts wait for an engine that cannot be reached, and only for that.
@Suite struct EngineOutageRetryTests {
    static let logger = Logger(label: "test")
    static func transport() -> DockerEngineError {
        DockerEngineError(kind: .transport, method: "POST", path: "/containers/x/unpause", message: "Couldn't connect to server")
    }

    @Test func retriesWhileTheEngineIsUnreachableAndSaysHowLong() async throws {
        let attempts = Mutex(0), away = Mutex<Duration?>(nil)
        let value = try await EngineOutageRetry.run(what: "revert", until: .now + .seconds(5), logger: Self.logger,
                                                    unreachableFor: { duration in away.withLock { $0 = duration } }) {
            let attempt = attempts.withLock { $0 += 1; return $0 }
            if attempt < 3 { throw Self.transport() }
            return "done"
        }
        #expect(value == "done")
        #expect(attempts.withLock { $0 } == 3)
        let waited = try #require(away.withLock { $0 })
        #expect(waited >= EngineOutageRetry.interval && waited < .seconds(2), "\(waited)")
    }

    @Test func anAnswerFromTheEngineIsNotRetried() async throws {
        let attempts = Mutex(0)
        await #expect(throws: DockerEngineError.self) {
            try await EngineOutageRetry.run(what: "revert", until: .now + .seconds(5), logger: Self.logger, unreachableFor: { _ in }) {
                attempts.withLock { $0 += 1 }
                throw DockerEngineError(kind: .status(500), method: "POST", path: "/containers/x/unpause", message: "boom")
            }
        }
        #expect(attempts.withLock { $0 } == 1)
    }

    @Test func givesUpAtTheDeadline() async throws {
        let clock = ContinuousClock(), started = clock.now
        let away = Mutex<Duration?>(nil)
        await #expect(throws: DockerEngineError.self) {
            try await EngineOutageRetry.run(what: "revert", until: .now + .milliseconds(600), logger: Self.logger,
                                            unreachableFor: { duration in away.withLock { $0 = duration } }) { () async throws -> Int in
                throw Self.transport()
            }
        }
        #expect(clock.now - started < .seconds(2))
        #expect(away.withLock { $0 } == nil, "it never reached the engine")
    }
}
