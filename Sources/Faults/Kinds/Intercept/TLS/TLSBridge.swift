internal import COpenSSL
import Foundation
import Glibc
import Synchronization

/// One TLS connection of the intercepting proxy (toward a client, or toward the upstream) turned
/// into a plain socket: a thread of its own drives the TLS session on the TCP socket and copies
/// the clear bytes to and from one end of a socket pair, whose other end the proxy's connection
/// reads and writes exactly as it would a TCP socket. One thread drives the session because
/// OpenSSL does not allow reading and writing one session from two threads at once.
///
/// Ends as the proxy's connection does: the clear end closed → close_notify and FIN to the peer
/// (or a TCP RST when `abort()` was called first); the peer's close_notify → the clear end shut for
/// writing, so the connection sees the end of the stream and can still answer.
final class TLSBridge: @unchecked Sendable {
    private let session: OpaquePointer
    private let socket: Int32
    private let clear: Int32
    private let what: String
    private let aborting = Atomic<Bool>(false)
    private let negotiatedName = Mutex<String?>(nil)
    /// What is buffered in each direction before the bridge stops reading that side.
    static let bufferLimit = 256 * 1024
    /// How long a reset waits for the bytes before it to leave (`SIOCOUTQ` reaching 0).
    static let resetDrainLimit = Duration.milliseconds(500)
    /// `SIOCOUTQ`: the bytes a TCP socket has not had acknowledged yet.
    static let outputQueueRequest: UInt = 0x5411
    /// How long a handshake may take before the connection is dropped.
    static let handshakeTimeout = Duration.seconds(10)

    /// Starts the bridge for `session` (set up as server or client, not yet handshaken) on the TCP
    /// `socket`; returns the clear descriptor for the proxy's connection, or nil when no socket pair
    /// could be made (the socket and the session are then closed and freed). `what` names the
    /// connection in log lines ("client 172.18.0.3:51234").
    static func start(_ session: OpaquePointer, socket: Int32, what: String) -> (clear: Int32, bridge: TLSBridge)? {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            SSL_free(session)
            close(socket)
            return nil
        }
        let bridge = TLSBridge(session: session, socket: socket, clear: pair[0], what: what)
        Thread.detachNewThread { bridge.run() }
        return (pair[1], bridge)
    }

    private init(session: OpaquePointer, socket: Int32, clear: Int32, what: String) {
        self.session = session
        self.socket = socket
        self.clear = clear
        self.what = what
    }

    /// Makes the bridge end the TCP connection with a RST (no close_notify) once the clear end closes.
    func abort() { aborting.store(true, ordering: .relaxed) }

    /// The server name the client asked for (SNI), known once the handshake is done; nil without one.
    var serverName: String? { negotiatedName.withLock { $0 } }

    private func run() {
        for descriptor in [socket, clear] { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        // Records go out as they are made: the bytes before a reset must not wait for an ACK (Nagle) and die with it.
        var noDelay: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        SSL_set_fd(session, socket)
        fl_ssl_set_partial_writes(session)
        var pump = Pump()
        let handshakeEnd = ContinuousClock.now + Self.handshakeTimeout
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var abortive = false
        defer { finish(abortive: abortive) }
        while true {
            var socketEvents: Int16 = 0, clearEvents: Int16 = 0
            if !pump.handshaken {
                let result = SSL_do_handshake(session)
                if result == 1 {
                    pump.handshaken = true
                    negotiatedName.withLock { $0 = SSL_get_servername(session, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) } }
                } else {
                    let reason = SSL_get_error(session, result)
                    guard let wanted = Self.events(wantedBy: reason) else {
                        FileHandle.standardError.write(Data("faultline intercept-proxy: TLS handshake with \(what) failed\(TLSSetupError.openSSLReasons())\n".utf8))
                        abortive = true
                        return
                    }
                    guard ContinuousClock.now < handshakeEnd else { abortive = true; return }
                    socketEvents |= wanted
                }
            }
            if pump.handshaken {
                // Peer → clear end.
                while !pump.peerEnded, pump.toClear.count < Self.bufferLimit {
                    let count = SSL_read(session, &buffer, Int32(buffer.count))
                    if count > 0 { pump.toClear.append(contentsOf: buffer[0..<Int(count)]); continue }
                    let reason = SSL_get_error(session, count)
                    if let wanted = Self.events(wantedBy: reason) { socketEvents |= wanted } else {
                        pump.peerEnded = true
                        // Anything but close_notify (a reset, a TCP close without it) leaves a session that cannot write.
                        if reason != SSL_ERROR_ZERO_RETURN { pump.broken = true }
                    }
                    break
                }
                if !pump.toClear.isEmpty {
                    let written = pump.toClear.withUnsafeBytes { write(clear, $0.baseAddress, $0.count) }
                    if written > 0 { pump.toClear.removeFirst(written) } else if written < 0, errno != EAGAIN { pump.toClear.removeAll() }
                    if !pump.toClear.isEmpty { clearEvents |= Int16(POLLOUT) }
                }
                if pump.peerEnded, pump.toClear.isEmpty, !pump.clearShut {
                    shutdown(clear, Int32(SHUT_WR))
                    pump.clearShut = true
                }
                // A broken session reads and writes no more: what it delivered reaches the clear end first.
                if pump.broken, pump.toClear.isEmpty { abortive = true; return }
                // Clear end → peer.
                if !pump.broken, !pump.clearEnded, pump.toPeer.count < Self.bufferLimit {
                    let count = read(clear, &buffer, buffer.count)
                    if count > 0 { pump.toPeer.append(contentsOf: buffer[0..<count]) } else if count == 0 || errno != EAGAIN { pump.clearEnded = true }
                }
                while !pump.broken, !pump.toPeer.isEmpty {
                    let length = pump.writing ?? min(pump.toPeer.count, buffer.count)
                    let count = pump.toPeer.withUnsafeBytes { SSL_write(session, $0.baseAddress, Int32(length)) }
                    if count > 0 { pump.toPeer.removeFirst(Int(count)); pump.writing = nil; continue }
                    let reason = SSL_get_error(session, count)
                    guard let wanted = Self.events(wantedBy: reason) else { abortive = true; return }
                    pump.writing = length
                    socketEvents |= wanted
                    break
                }
                if !pump.broken, pump.clearEnded, pump.toPeer.isEmpty {
                    if aborting.load(ordering: .relaxed) { abortive = true; return }
                    if !pump.closeSent {
                        SSL_shutdown(session)
                        shutdown(socket, Int32(SHUT_WR))
                        pump.closeSent = true
                    }
                    if pump.peerEnded, pump.toClear.isEmpty { return }
                }
                if !pump.broken, !pump.clearEnded, pump.toPeer.count < Self.bufferLimit { clearEvents |= Int16(POLLIN) }
                if !pump.peerEnded, pump.toClear.count < Self.bufferLimit { socketEvents |= Int16(POLLIN) }
            }
            // A side with nothing to wait for is left out: a hung-up socket would wake poll at once, forever.
            var waiting = [pollfd(fd: socketEvents == 0 ? -1 : socket, events: socketEvents, revents: 0),
                           pollfd(fd: clearEvents == 0 ? -1 : clear, events: clearEvents, revents: 0)]
            let timeout: Int32 = pump.handshaken ? 1000 : 100
            _ = poll(&waiting, 2, timeout)
        }
    }

    /// What the bridge holds between the two sides, and which ends are done.
    private struct Pump {
        var handshaken = false
        var toClear: [UInt8] = []
        var toPeer: [UInt8] = []
        /// The length of an SSL_write to retry with the same length (OpenSSL requires it).
        var writing: Int?
        var peerEnded = false
        var broken = false
        var clearEnded = false
        var clearShut = false
        var closeSent = false
    }

    /// The poll events an OpenSSL "want" asks for; nil for any other outcome (an error, the end).
    private static func events(wantedBy reason: Int32) -> Int16? {
        switch reason {
        case SSL_ERROR_WANT_READ: return Int16(POLLIN)
        case SSL_ERROR_WANT_WRITE: return Int16(POLLOUT)
        default: return nil
        }
    }

    /// Closes both descriptors; an abortive end resets the TCP connection instead of closing it.
    private func finish(abortive: Bool) {
        if abortive || aborting.load(ordering: .relaxed) {
            // What was sent before the reset reaches the peer first (the RST discards what is still queued).
            let end = ContinuousClock.now + Self.resetDrainLimit
            var queued: Int32 = 1
            while ioctl(socket, Self.outputQueueRequest, &queued) == 0, queued > 0, ContinuousClock.now < end { usleep(1000) }
            HelperSocket.resetOnClose(socket)
        }
        SSL_free(session)
        close(socket)
        close(clear)
    }
}
