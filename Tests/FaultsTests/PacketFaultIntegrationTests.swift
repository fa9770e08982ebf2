import DockerEngine
@testable import Faults
import Foundation
import TestSupport
import Testing

/// The packet engine between this machine and a UDP echo container: each effect measured within a
/// stated tolerance, and after the revert the namespace's rules exactly as before.
@Suite(.serialized) struct PacketFaultIntegrationTests {
    struct Figures: Decodable {
        let sent: Int
        let distinct: Int
        let duplicates: Int
        let p50_ms: Double?
        let p99_ms: Double?
        let late: Int
        let changed: Int
        let mean_lost_run: Double
    }

    static func measure(_ address: String, sent: Int, gapMilliseconds: Int) async throws -> Figures {
        let result = try await CommandRunner.run(["/usr/bin/python3", "\(TestServers.fixtures)/udp_echo.py", "measure", address,
                                                  String(NetworkFaultIntegrationTests.echoPort), String(sent), String(gapMilliseconds)])
        return try JSONDecoder().decode(Figures.self, from: Data(result.stdout.utf8))
    }

    /// Injects, runs `body`, reverts: the revert's outcome (with the engine's counts).
    @discardableResult
    static func withPacketFault(_ given: [(key: String, texts: [String])], _ body: @escaping @Sendable (String) async throws -> Void) async throws -> RevertOutcome {
        try await NetworkFaultIntegrationTests.withEcho { _, injector, server, _ in
            let address = try NetworkFaultIntegrationTests.address(server)
            let before = try NetworkFaultIntegrationTests.networkState(server.state.pid)
            let fault = try await injector.inject(try PacketParameters.read(given).action(hasWindow: true), on: server, window: .seconds(30))
            do {
                try await body(address)
            } catch {
                _ = try? await injector.revert(fault)
                throw error
            }
            let outcome = try await injector.revert(fault).result.get()
            #expect(outcome.isRestored)
            #expect(try NetworkFaultIntegrationTests.networkState(server.state.pid) == before)
            let after = try await measure(address, sent: 50, gapMilliseconds: 2)
            #expect(after.distinct == 50 && after.p50_ms ?? 99 < 10, "after the revert: \(after)")
            return outcome
        }
    }

    // delay 100 ms on what the container sends: every round trip p50 within 100…108 ms and p99 within
    // 100…120 ms at ~500 packets/s; no echo overtakes another (no jitter); the revert reports the counts.
    @Test func delaysEveryPacket() async throws {
        let outcome = try await Self.withPacketFault([("delay", ["100ms"]), ("direction", ["outbound"])]) { address in
            let figures = try await Self.measure(address, sent: 500, gapMilliseconds: 2)
            #expect(figures.distinct == 500 && figures.late == 0, "\(figures)")
            #expect((100...108).contains(figures.p50_ms ?? 0) && (100...120).contains(figures.p99_ms ?? 0), "\(figures)")
        }
        // The window's counts come back with the revert: the 500 echoes, each delayed.
        #expect("\(outcome)".contains("the packet engine saw 500 packets: 500 delayed, 0 dropped"), "\(outcome)")
    }

    // The revert lets what the engine holds through instead of dropping it: with 2 s of delay, every
    // echo sent just before the revert still comes back, sooner than the delay.
    @Test func revertReleasesHeldPackets() async throws {
        try await NetworkFaultIntegrationTests.withEcho { _, injector, server, _ in
            let address = try NetworkFaultIntegrationTests.address(server)
            let fault = try await injector.inject(try PacketParameters.read([("delay", ["2s"]), ("direction", ["outbound"])]).action(hasWindow: true),
                                                  on: server, window: .seconds(30))
            let measuring = Task { try await Self.measure(address, sent: 50, gapMilliseconds: 4) }
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await injector.revert(fault).result.get().isRestored)
            let figures = try await measuring.value
            #expect(figures.distinct == 50 && (figures.p99_ms ?? 0) < 1900, "\(figures)")
        }
    }

    // loss 30% in bursts of 4 and 20% duplicates on what arrives: 70% ± 10 points come back, lost
    // ones in runs of 4 ± 1.5 on average, and about a fifth of the echoes twice (10–30%).
    @Test func losesInBurstsAndDuplicates() async throws {
        try await Self.withPacketFault([("loss", ["0.3"]), ("loss-burst", ["4"]), ("duplicate", ["0.2"]), ("direction", ["inbound"])]) { address in
            let figures = try await Self.measure(address, sent: 1000, gapMilliseconds: 1)
            #expect((600...800).contains(figures.distinct), "\(figures)")
            #expect((2.5...5.5).contains(figures.mean_lost_run), "\(figures)")
            let share = Double(figures.duplicates) / Double(max(1, figures.distinct))
            #expect((0.1...0.3).contains(share), "\(figures)")
        }
    }

    // corrupt with fixed checksums: every echo arrives with one bit changed; with broken checksums
    // the receiving stack drops every one of them.
    @Test func corruptsWithChecksumsFixedOrBroken() async throws {
        try await Self.withPacketFault([("corrupt", ["1"]), ("checksums", ["fix"]), ("direction", ["outbound"])]) { address in
            let figures = try await Self.measure(address, sent: 50, gapMilliseconds: 2)
            #expect(figures.changed >= 49 && figures.distinct == 0, "\(figures)")
        }
        try await Self.withPacketFault([("corrupt", ["1"]), ("direction", ["outbound"])]) { address in
            let figures = try await Self.measure(address, sent: 50, gapMilliseconds: 2)
            #expect(figures.changed == 0 && figures.distinct == 0, "\(figures)")
        }
    }

    // rate 9200bps: the echoes' 92-byte packets leave 10 ms apart. Sent every 20 ms they pass with
    // about 10 ms added (p50 10…14 ms); sent every 2 ms they queue for the link, the n-th waiting
    // n × (10 ms − the gap): p50 ~390 and p99 ~760 ms here. The bounds leave room for a sender
    // whose 2 ms sleeps run long under load (p50 200…470, p99 500…950 ms; without the rate both
    // are under 15 ms), and none is lost (the bound is far off).
    @Test func holdsTrafficToTheRate() async throws {
        let outcome = try await Self.withPacketFault([("rate", ["9200bps"]), ("direction", ["outbound"])]) { address in
            let paced = try await Self.measure(address, sent: 100, gapMilliseconds: 20)
            #expect(paced.distinct == 100 && (10...14).contains(paced.p50_ms ?? 0) && (10...30).contains(paced.p99_ms ?? 0), "\(paced)")
            let burst = try await Self.measure(address, sent: 100, gapMilliseconds: 2)
            #expect(burst.distinct == 100 && burst.late == 0, "\(burst)")
            #expect((200...470).contains(burst.p50_ms ?? 0) && (500...950).contains(burst.p99_ms ?? 0), "\(burst)")
        }
        #expect("\(outcome)".contains("the packet engine saw 200 packets: 200 delayed ("), "\(outcome)")
    }

    // delay 50 ms with 30% reordered: the reordered echoes come back at once, ahead of delayed ones.
    @Test func reordersAheadOfTheDelayed() async throws {
        try await Self.withPacketFault([("delay", ["50ms"]), ("reorder", ["0.3"]), ("direction", ["outbound"])]) { address in
            let figures = try await Self.measure(address, sent: 300, gapMilliseconds: 2)
            #expect(figures.distinct == 300 && figures.late >= 30, "\(figures)")
        }
    }
}
