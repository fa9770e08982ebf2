@testable import FaultProxy
import TestSupport
import FaultlineSupport
import Logging
import NIOCore
import Testing

/// How the forwarding handler cuts a read under a bandwidth toxic.
@Suite struct BandwidthPiecesTests {
    // A read is cut into consecutive pieces of at most the size, bytes and order kept.
    @Test func cutsAReadInOrder() {
        let bytes = (0..<10_000).map { UInt8($0 % 251) }
        let pieces = ForwardingHandler.pieces(of: ByteBuffer(bytes: bytes), atMost: 3_000)
        #expect(pieces.map(\.readableBytes) == [3_000, 3_000, 3_000, 1_000])
        #expect(pieces.flatMap { Array($0.readableBytesView) } == bytes)
        #expect(ForwardingHandler.pieces(of: ByteBuffer(bytes: bytes), atMost: 10_000).count == 1)
    }
}

@Suite struct ToxicParsingTests {
    // Specs read into toxics with their options; mistakes name the toxic and what is allowed.
    @Test func parsesAndRejects() throws {
        #expect(try Toxic.parse("latency=200ms,jitter=50ms,stream=upstream,toxicity=0.5")
                == Toxic(name: "latency", kind: .latency(delay: .milliseconds(200), jitter: .milliseconds(50)), stream: .upstream, toxicity: 0.5))
        #expect(try Toxic.parse("bandwidth=64kbps").kind == .bandwidth(bytesPerSecond: 64_000))
        #expect(try Toxic.parse("bandwidth=1mbit").kind == .bandwidth(bytesPerSecond: 125_000))
        #expect(try Toxic.parse("timeout").kind == .timeout(closeAfter: nil))
        #expect(try Toxic.parse("limit_data=10").kind == .limitData(bytes: 10))
        #expect(try Toxic.parse("slicer=64,variation=8,delay=1ms").kind == .slicer(averageSize: 64, variation: 8, delay: .milliseconds(1)))
        for (spec, message) in [("latencyy=1s", "did you mean 'latency'?"), ("latency", "latency needs a delay"),
                                ("latency=1s,stream=sideways", "stream must be upstream or downstream"),
                                ("bandwidth=fast", "bandwidth needs a rate"), ("timeout=1s,jitter=1ms", "timeout takes no 'jitter'"),
                                ("latency=1s,toxicity=2", "toxicity must be between 0 and 1")] {
            #expect(throws: ToxicSpecError.self) { try Toxic.parse(spec) }
            do { _ = try Toxic.parse(spec) } catch { #expect(error.description.contains(message), "\(spec): \(error)") }
        }
    }
}

/// The proxy between a blocking client and an in-process echo server on loopback. Lower bounds
/// show a toxic acted; upper bounds allow 400 ms of scheduling slack (a cold CI start running every
/// suite at once on 2 cores made a plain loopback round trip take 125 ms).
@Suite struct ProxyTests {
    static let slack: Duration = .milliseconds(400)

    func withProxy(_ toxics: [Toxic] = [], _ body: (ProxyServer, LoopbackClient) async throws -> Void) async throws {
        let echo = try await LoopbackServer()
        let proxy = try await ProxyServer.start(listenPort: 0, upstreamHost: "127.0.0.1", upstreamPort: echo.port,
                                                toxics: ToxicSet(toxics), logger: Logger(label: "proxy-test"))
        do {
            let client = try LoopbackClient(port: proxy.listenPort)
            try await body(proxy, client)
        } catch {
            await proxy.stop()
            await echo.stop()
            throw error
        }
        await proxy.stop()
        await echo.stop()
    }

    // Without toxics bytes pass both ways unchanged, 1 MiB included.
    @Test func forwardsBothWays() async throws {
        try await withProxy { proxy, client in
            let (small, _) = await client.roundTrip(64)
            #expect(small == .data(64))
            let (large, _) = await client.roundTrip(1 << 20)
            #expect(large == .data(1 << 20))
            #expect(proxy.connectionsAccepted == 1)
        }
    }

    // Latency added while the connection is open applies to it at once, and goes when removed.
    @Test func latencyAddedAndRemovedAtRuntime() async throws {
        try await withProxy { proxy, client in
            let (_, before) = await client.roundTrip()
            #expect(before < Self.slack)
            proxy.toxics.add(Toxic(name: "slow", kind: .latency(delay: .seconds(1), jitter: .zero)))
            let (delayed, during) = await client.roundTrip()
            #expect(delayed == .data(64))
            #expect(during >= .seconds(1) && during < .seconds(1) + Self.slack, "\(during)")
            #expect(proxy.toxics.remove(named: "slow"))
            let (_, after) = await client.roundTrip()
            #expect(after < Self.slack, "\(after)")
        }
    }

    // timeout swallows the bytes (the client hears nothing), then closes after its time.
    @Test func timeoutSwallowsThenCloses() async throws {
        try await withProxy([Toxic(name: "t", kind: .timeout(closeAfter: .milliseconds(500)), stream: .upstream)]) { _, client in
            await client.send(Array("ping".utf8))
            #expect(await client.receive(4, timeout: .milliseconds(300)) == .timedOut)
            #expect(await client.receive(4, timeout: .seconds(2)) == .closed)
        }
    }

    // reset_peer ends the connection with a TCP reset.
    @Test func resetPeerResets() async throws {
        try await withProxy([Toxic(name: "r", kind: .resetPeer(after: .zero), stream: .upstream)]) { _, client in
            await client.send(Array("ping".utf8))
            #expect(await client.receive(4, timeout: .seconds(2)) == .reset)
        }
    }

    // limit_data lets exactly that many bytes through, then closes.
    @Test func limitDataCutsOff() async throws {
        try await withProxy([Toxic(name: "l", kind: .limitData(bytes: 10))]) { _, client in
            await client.send([UInt8](repeating: 1, count: 100))
            #expect(await client.receive(100, timeout: .seconds(2)) == .data(10))
            #expect(await client.receive(1, timeout: .seconds(2)) == .closed)
        }
    }

    // bandwidth 200 KB/s: 200 KB come back in about a second (±20%).
    @Test func bandwidthPacesTheStream() async throws {
        try await withProxy([Toxic(name: "b", kind: .bandwidth(bytesPerSecond: 200_000))]) { _, client in
            let (received, took) = await client.roundTrip(200_000, timeout: .seconds(5))
            #expect(received == .data(200_000))
            #expect(took >= .milliseconds(800) && took <= .milliseconds(1200) + Self.slack, "\(took)")
        }
    }

    // bandwidth trickles: 200 KB sent at once at 100 KB/s start arriving at once (pieces of ~20 ms
    // at the rate), not after the 2 s the whole takes, and the whole still takes about 2 s.
    @Test func bandwidthTricklesALargeChunk() async throws {
        try await withProxy([Toxic(name: "b", kind: .bandwidth(bytesPerSecond: 100_000))]) { _, client in
            let start = ContinuousClock.now
            await client.send([UInt8](repeating: 0x62, count: 200_000))
            #expect(await client.receive(1, timeout: .seconds(5)) == .data(1))
            let first = ContinuousClock.now - start
            #expect(first < .milliseconds(600) + Self.slack, "first byte after \(first)")
            #expect(await client.receive(199_999, timeout: .seconds(6)) == .data(199_999))
            let whole = ContinuousClock.now - start
            #expect(whole >= .milliseconds(1600), "\(whole)")
        }
    }

    // slicer cuts a chunk into slices a delay apart: 10 slices of 10 bytes, 20 ms apart ≈ 180 ms.
    @Test func slicerSpreadsAChunk() async throws {
        try await withProxy([Toxic(name: "s", kind: .slicer(averageSize: 10, variation: 0, delay: .milliseconds(20)))]) { _, client in
            let (received, took) = await client.roundTrip(100)
            #expect(received == .data(100))
            #expect(took >= .milliseconds(180) && took < .milliseconds(180) + Self.slack, "\(took)")
        }
    }

    // toxicity 0: the toxic never applies.
    @Test func toxicityZeroNeverApplies() async throws {
        try await withProxy([Toxic(name: "never", kind: .latency(delay: .seconds(1), jitter: .zero), toxicity: 0)]) { _, client in
            let (_, took) = await client.roundTrip()
            #expect(took < Self.slack)
        }
    }

    // slow_close: the close reaches the client only after the delay.
    @Test func slowCloseDelaysTheClose() async throws {
        let echo = try await LoopbackServer()
        let proxy = try await ProxyServer.start(listenPort: 0, upstreamHost: "127.0.0.1", upstreamPort: echo.port,
                                                toxics: ToxicSet([Toxic(name: "c", kind: .slowClose(delay: .milliseconds(400)))]),
                                                logger: Logger(label: "proxy-test"))
        let client = try LoopbackClient(port: proxy.listenPort)
        #expect(await client.roundTrip().0 == .data(64))
        let start = ContinuousClock.now
        await echo.stop()  // the upstream side closes
        #expect(await client.receive(1, timeout: .seconds(3)) == .closed)
        let took = ContinuousClock.now - start
        #expect(took >= .milliseconds(400) && took < .milliseconds(400) + Self.slack * 3, "\(took)")
        await proxy.stop()
    }
}
