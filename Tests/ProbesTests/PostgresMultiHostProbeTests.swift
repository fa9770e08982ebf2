import DockerEngine
import Foundation
@testable import Probes
import TestSupport
import Testing

/// The PostgreSQL probe with libpq's several hosts: when the server it is connected to goes away,
/// the next connection goes to the next host that answers, and the check says so.
@Suite struct PostgresMultiHostProbeTests {
    // Two servers; the first is stopped: checks fail while the kept connection is broken, then one
    // is ok "now to" the second server's port — the probe followed, with no change to its DSN.
    @Test func followsToTheNextHost() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(TestServers.spec(.postgres), engine: engine) { first in
            try await withTestContainer(TestServers.spec(.postgres), engine: engine) { second in
                let firstPort = try await TestServers.publishedPort(.postgres, of: first.id, engine: engine)
                let secondPort = try await TestServers.publishedPort(.postgres, of: second.id, engine: engine)
                var config = PostgresProbeConfig(dsn: "postgresql://app@127.0.0.1:\(firstPort),127.0.0.1:\(secondPort)/postgres?connect_timeout=2")
                config.expectValue = "1"
                let probe = try ProbeConfig.postgres(config).makeProbe(name: "db", timeout: .seconds(1), logger: TestEngine.logger)
                // Both up: the first host answers.
                for port in [firstPort, secondPort] {
                    let alone = try ProbeConfig.postgres(PostgresProbeConfig(dsn: "postgresql://app@127.0.0.1:\(port)/postgres?connect_timeout=2"))
                        .makeProbe(name: "one", timeout: .seconds(1), logger: TestEngine.logger)
                    #expect(await ProbeIntegrationTests.eventuallyOK(alone).outcome.isOK, "server on \(port) never answered")
                    await alone.close()
                }
                let before = await probe.check()
                #expect(before.outcome.isOK && before.reason.hasSuffix("(new connection)"), "\(before.reason)")
                _ = try await engine.stopContainer(first.id, timeout: 1)
                var checks: [ProbeCheck] = []
                let end = ContinuousClock.now + .seconds(15)
                while ContinuousClock.now < end {
                    let check = await probe.check()
                    checks.append(check)
                    if check.outcome.isOK && check.reason.contains("now to") { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(checks.last?.reason.hasSuffix("(new connection, now to 127.0.0.1:\(secondPort))") == true, "\(checks.map(\.reason))")
                #expect(checks.contains { !$0.outcome.isOK }, "the broken connection was never noticed: \(checks.map(\.reason))")
                await probe.close()
            }
        }
    }
}
