import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Forwards the bytes one side of a proxied connection sends to the other side, through the toxics
/// of its stream. Chunks are released in order at their due time (latency, bandwidth, slicer); a
/// timeout swallows them; limit_data and reset_peer end the connection. Both handlers of a
/// connection run on the same event loop.
///
/// Never a byte lost: a close is passed on only after every byte queued for the partner has been
/// written to its socket (NIO's close fails writes still buffered, which cut a bulk transfer short
/// when the upstream closed right after its last write), and a sender's half-close (FIN) becomes
/// a half-close of the partner's output, so the other direction keeps flowing until it ends too.
final class ForwardingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let stream: Toxic.Stream
    private let toxics: ToxicSet
    private let partner: Channel
    private let fates: ConnectionFates
    private var pending = CircularBuffer<(buffer: ByteBuffer, due: NIODeadline)>()
    private var releaseFloor = NIODeadline.uptimeNanoseconds(0)
    private var drainAt: NIODeadline?
    private var forwarded = 0
    private var closeWhenDrained = false
    private var closeDelay: TimeAmount = .zero
    private var ending = false
    /// The sender half-closed (FIN) rather than closed: pass on a half-close, not a close.
    private var halfClosed = false

    init(stream: Toxic.Stream, toxics: ToxicSet, partner: Channel, fates: ConnectionFates) {
        self.stream = stream
        self.toxics = toxics
        self.partner = partner
        self.fates = fates
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let now = NIODeadline.now()
        let active = toxics.current.filter { $0.stream == stream && fates.applies($0, now: now.uptimeNanoseconds) }
        if active.isEmpty && pending.isEmpty {
            forwarded += buffer.readableBytes
            partner.write(buffer, promise: nil)  // the fast path: no toxic, nothing queued
            return
        }
        for toxic in active {
            switch toxic.kind {
            case .timeout(let closeAfter):
                if let closeAfter { end(context, after: TimeAmount(closeAfter), reset: false) }
                return  // swallowed
            case .resetPeer(let after):
                let since = now.uptimeNanoseconds - (fates.firstSeen[toxic.name] ?? now.uptimeNanoseconds)
                end(context, after: max(.zero, TimeAmount(after) - .nanoseconds(Int64(since))), reset: true)
            default: break
            }
        }
        var slices = [buffer]
        var sliceDelay = TimeAmount.zero
        for toxic in active {
            if case .slicer(let size, let variation, let delay) = toxic.kind {
                slices = []
                sliceDelay = TimeAmount(delay)
                while buffer.readableBytes > 0 {
                    let length = min(buffer.readableBytes, max(1, size + (variation > 0 ? Int.random(in: -variation...variation) : 0)))
                    slices.append(buffer.readSlice(length: length)!)
                }
            }
        }
        if sliceDelay == .zero, let rate = active.lazy.compactMap(\.bandwidthLimit).min() {
            // A large read (reads grow to 1 MiB) leaves in pieces of ~20 ms at the rate, so it
            // trickles out instead of arriving whole after the time its size takes.
            slices = slices.flatMap { Self.pieces(of: $0, atMost: max(1024, rate / 50)) }
        }
        for (index, var slice) in slices.enumerated() {
            var due = now + sliceDelay * Int64(index)
            for toxic in active {
                switch toxic.kind {
                case .latency(let delay, let jitter):
                    let spread = jitter > .zero ? TimeAmount.nanoseconds(Int64.random(in: -Int64(jitter.nanoseconds)...Int64(jitter.nanoseconds))) : .zero
                    due = due + max(.zero, TimeAmount(delay) + spread)
                case .bandwidth(let rate):
                    due = max(due, releaseFloor) + .nanoseconds(Int64(slice.readableBytes) * 1_000_000_000 / Int64(rate))
                case .limitData(let limit):
                    let room = max(0, limit - forwarded)
                    if slice.readableBytes >= room {
                        slice = slice.getSlice(at: slice.readerIndex, length: room)!
                        closeWhenDrained = true
                    }
                default: break
                }
            }
            due = max(due, releaseFloor)
            releaseFloor = due
            forwarded += slice.readableBytes
            if slice.readableBytes > 0 { pending.append((slice, due)) }
            if closeWhenDrained { break }
        }
        drain(context)
    }

    /// `buffer` cut into consecutive slices of at most `size` bytes.
    static func pieces(of buffer: ByteBuffer, atMost size: Int) -> [ByteBuffer] {
        var rest = buffer, pieces: [ByteBuffer] = []
        while rest.readableBytes > size { pieces.append(rest.readSlice(length: size)!) }
        pieces.append(rest)
        return pieces
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner.flush()
    }

    /// The sender closed: pass the close on once everything queued went out (after slow_close's delay).
    func channelInactive(context: ChannelHandlerContext) {
        for toxic in toxics.current where toxic.stream == stream && fates.applies(toxic, now: NIODeadline.now().uptimeNanoseconds) {
            if case .slowClose(let delay) = toxic.kind { closeDelay = TimeAmount(delay) }
        }
        closeWhenDrained = true
        drain(context)
        context.fireChannelInactive()
    }

    /// The sender half-closed its side (a FIN with the connection still open the other way).
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            halfClosed = true
            for toxic in toxics.current where toxic.stream == stream && fates.applies(toxic, now: NIODeadline.now().uptimeNanoseconds) {
                if case .slowClose(let delay) = toxic.kind { closeDelay = TimeAmount(delay) }
            }
            closeWhenDrained = true
            drain(context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Our channel's writability governs how fast the partner is read (back-pressure).
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        partner.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
        partner.close(promise: nil)
    }

    private func drain(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        var wrote = false
        while let first = pending.first, first.due <= now {
            pending.removeFirst()
            partner.write(first.buffer, promise: nil)
            wrote = true
        }
        if wrote { partner.flush() }
        if let next = pending.first {
            if drainAt == nil || next.due < drainAt! {
                drainAt = next.due
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(deadline: next.due) {
                    let (handler, context) = bound.value
                    handler.drainAt = nil
                    handler.drain(context)
                }
            }
        } else if closeWhenDrained {
            if halfClosed { finishDirection(context, after: closeDelay) } else { end(context, after: closeDelay, reset: false) }
        }
    }

    /// Everything this direction will ever carry has been queued: once it is written, send the
    /// partner a FIN (its output half-closed); when both directions are done, close both sides.
    private func finishDirection(_ context: ChannelHandlerContext, after: TimeAmount) {
        guard !ending else { return }
        ending = true
        let channel = context.channel, partner = partner, loop = context.eventLoop
        let bound = NIOLoopBound(fates, eventLoop: loop)
        let finish: @Sendable () -> Void = {
            partner.writeAndFlush(ByteBuffer()).whenComplete { _ in
                partner.close(mode: .output).whenComplete { result in
                    bound.value.directionsFinished += 1
                    if case .failure = result { partner.close(promise: nil); channel.close(promise: nil); return }
                    if bound.value.directionsFinished >= 2 {
                        channel.close(promise: nil)
                        partner.close(promise: nil)
                    }
                }
            }
        }
        if after <= .zero { finish() } else { loop.scheduleTask(in: after) { finish() } }
    }

    /// Closes both sides after `after`; with `reset`, the client side with an RST (SO_LINGER 0).
    private func end(_ context: ChannelHandlerContext, after: TimeAmount, reset: Bool) {
        guard !ending else { return }
        ending = true
        let channel = context.channel, partner = partner
        let close: @Sendable () -> Void = {
            for side in [channel, partner] {
                guard reset, let socket = side as? SocketOptionProvider else {
                    // Whatever is still buffered for this side is written first: a close would fail it.
                    side.writeAndFlush(ByteBuffer()).whenComplete { _ in side.close(promise: nil) }
                    continue
                }
                // SO_LINGER 0: close sends a reset instead of a FIN.
                socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in side.close(promise: nil) }
            }
        }
        if after <= .zero { close() } else { context.eventLoop.scheduleTask(in: after) { close() } }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
