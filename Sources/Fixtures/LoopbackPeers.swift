import FaultlineSupport
import Foundation
import NIOCore
import NIOPosix

/// A server on 127.0.0.1 (NIO, in-process) for the proxy's tests and benchmark: it echoes what it
/// receives, or (source mode) sends a number of bytes as fast as the client reads and closes.
public final class LoopbackServer: Sendable {
    let channel: Channel
    let group: MultiThreadedEventLoopGroup
    public var port: Int { channel.localAddress!.port! }

    public enum Mode: Sendable {
        case echo
        case source(bytes: Int)
    }

    private final class Source: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        var remaining: Int
        init(bytes: Int) { remaining = bytes }
        func channelActive(context: ChannelHandlerContext) { push(context) }
        func channelWritabilityChanged(context: ChannelHandlerContext) { push(context) }
        func push(_ context: ChannelHandlerContext) {
            guard remaining >= 0 else { return }
            let chunk = context.channel.allocator.buffer(repeating: 0x5a, count: 64 * 1024)
            while remaining > 0 && context.channel.isWritable {
                let size = min(remaining, chunk.readableBytes)
                remaining -= size
                context.write(wrapOutboundOut(chunk.getSlice(at: 0, length: size)!), promise: nil)
            }
            context.flush()
            if remaining == 0 {
                remaining = -1
                context.close(mode: .output, promise: nil)
            }
        }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.write(data, promise: nil) }
        func channelReadComplete(context: ChannelHandlerContext) { context.flush() }
        func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
    }

    public init(_ mode: Mode = .echo) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        channel = try await ServerBootstrap(group: group)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch mode {
                    case .echo: try channel.pipeline.syncOperations.addHandler(Echo())
                    case .source(let bytes): try channel.pipeline.syncOperations.addHandler(Source(bytes: bytes))
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// A blocking TCP client to 127.0.0.1 with a receive time-out, run off the cooperative pool.
public final class LoopbackClient: @unchecked Sendable {
    let descriptor: Int32

    public enum Received: Equatable, Sendable {
        case data(Int)
        case closed
        case reset
        case timedOut
    }

    public init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(descriptor) }

    public func send(_ bytes: [UInt8]) async {
        let descriptor = descriptor
        await BlockingIO.run {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return }
                offset += sent
            }
        }
    }

    /// Reads until `count` bytes came, the peer closed or reset, or `timeout` passed.
    public func receive(_ count: Int, timeout: Duration) async -> Received {
        let descriptor = descriptor
        return await BlockingIO.run { () -> Received in
            let deadline = ContinuousClock.now + timeout
            var got = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            while got < count {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { return got > 0 ? .data(got) : .timedOut }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(max(1, remaining.milliseconds)))
                if ready == 0 { return got > 0 ? .data(got) : .timedOut }
                let n = recv(descriptor, &buffer, min(buffer.count, count - got), 0)
                if n == 0 { return got > 0 ? .data(got) : .closed }
                if n < 0 { return errno == ECONNRESET ? .reset : .closed }
                got += n
            }
            return .data(got)
        }
    }

    /// Sends `size` bytes and waits for them to come back; returns how long the round trip took.
    public func roundTrip(_ size: Int = 64, timeout: Duration = .seconds(5)) async -> (Received, Duration) {
        let start = ContinuousClock.now
        await send([UInt8](repeating: 0x61, count: size))
        let received = await receive(size, timeout: timeout)
        return (received, ContinuousClock.now - start)
    }
}
