import FaultlineSupport
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy with toxics (Toxiproxy's model, built into faultline): listens on a local address,
/// opens one upstream connection per client, and forwards both ways through the current toxics,
/// which can change while connections are open. Works on any kernel (no netem needed).
public final class ProxyServer: Sendable {
    public let toxics: ToxicSet
    public let listenPort: Int
    private let group: MultiThreadedEventLoopGroup
    private let server: Channel
    private let counter: ConnectionCounter

    /// Client connections accepted so far.
    public var connectionsAccepted: Int { counter.value.load(ordering: .relaxed) }

    private init(toxics: ToxicSet, group: MultiThreadedEventLoopGroup, server: Channel, counter: ConnectionCounter) {
        self.toxics = toxics
        self.group = group
        self.server = server
        self.counter = counter
        self.listenPort = server.localAddress?.port ?? 0
    }

    /// Reads grow to 1 MiB while a side keeps filling them (NIO's default stops at 64 KiB): a bulk
    /// transfer crosses the proxy in fewer, larger hops; small exchanges keep small buffers.
    static let reads = AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 16 << 10, maximum: 1 << 20)
    /// Up to 1 MiB queued for a side before its partner stops being read (NIO's default: 64 KiB),
    /// so back-pressure does not toggle reading on and off every few chunks.
    static let writeBuffer = WriteBufferWaterMark(low: 256 << 10, high: 1 << 20)

    /// Starts listening on `listenHost:listenPort` (port 0: any free one) and forwarding to the upstream.
    public static func start(listenHost: String = "127.0.0.1", listenPort: Int, upstreamHost: String, upstreamPort: Int,
                             toxics: ToxicSet = ToxicSet(), threads: Int = 1, logger: Logger) async throws -> ProxyServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let counter = ConnectionCounter()
        do {
            let server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.autoRead, value: false)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                // A client's FIN is passed on as a FIN: the answer still flows back (half-close).
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelOption(.recvAllocator, value: Self.reads)
                .childChannelOption(.writeBufferWaterMark, value: Self.writeBuffer)
                .childChannelInitializer { client in
                    counter.value.add(1, ordering: .relaxed)
                    return ClientBootstrap(group: client.eventLoop)
                        .channelOption(.autoRead, value: false)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .channelOption(.allowRemoteHalfClosure, value: true)
                        .channelOption(.recvAllocator, value: Self.reads)
                        .channelOption(.writeBufferWaterMark, value: Self.writeBuffer)
                        .connectTimeout(.seconds(5))
                        .connect(host: upstreamHost, port: upstreamPort)
                        .flatMapThrowing { upstream in
                            let fates = ConnectionFates()
                            try client.pipeline.syncOperations.addHandler(
                                ForwardingHandler(stream: .upstream, toxics: toxics, partner: upstream, fates: fates))
                            try upstream.pipeline.syncOperations.addHandler(
                                ForwardingHandler(stream: .downstream, toxics: toxics, partner: client, fates: fates))
                            // Each handler passes its side's close on to the other (after slow_close's delay).
                            try client.syncOptions?.setOption(.autoRead, value: true)
                            try upstream.syncOptions?.setOption(.autoRead, value: true)
                        }
                        .flatMapErrorThrowing { error in
                            logger.warning("proxy: upstream \(upstreamHost):\(upstreamPort) refused a connection: \(error)")
                            throw error
                        }
                }
                .bind(host: listenHost, port: listenPort).get()
            return ProxyServer(toxics: toxics, group: group, server: server, counter: counter)
        } catch {
            try? await group.shutdownGracefully()
            throw ProxyError.cannotListen(host: listenHost, port: listenPort, reason: "\(error)")
        }
    }

    /// Stops accepting, closes every connection and releases the threads.
    public func stop() async {
        try? await server.close()
        try? await group.shutdownGracefully()
    }
}

final class ConnectionCounter: Sendable {
    let value = Atomic<Int>(0)
}

/// Why a proxy could not start.
public enum ProxyError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason): return "cannot listen on \(host):\(port): \(reason)"
        }
    }
}
