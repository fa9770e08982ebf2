import CSpawn
import Foundation

/// A non-blocking TCP connection driven by the `ProbePoller`: connects to the first of a host's
/// addresses that accepts, writes, and hands over bytes as they arrive. Used on the poller's
/// thread only. Deadlines are the caller's: it closes the connection when its own passes.
final class PolledConnection {
    /// What a read brought.
    enum Received {
        case bytes([UInt8])
        case closed
        case failed(SocketIO.Failure)
    }

    private let poller: ProbePoller
    private(set) var descriptor: Int32 = -1
    /// The step under way, for a deadline's message: "connect", "send" or "receive".
    private(set) var step = "connect"
    private var pending: [UInt8] = []
    private var sent: ((SocketIO.Failure?) -> Void)?
    private var reader: ((Received) -> Void)?
    private var buffer = [UInt8](repeating: 0, count: 4096)
    /// Closed by its owner: a name resolution that answers later connects nothing.
    private var abandoned = false

    init(poller: ProbePoller) { self.poller = poller }

    var isOpen: Bool { descriptor >= 0 }

    /// Resolves `host` and connects to its addresses in turn; `completion` gets nil once connected.
    /// `known` skips the resolution (a numeric host, resolved once when the probe was made).
    func connect(host: String, port: Int, known: [AddressResolver.Address]? = nil, completion: @escaping (SocketIO.Failure?) -> Void) {
        step = "connect"
        if let known, !known.isEmpty { return connect(to: known[...], lastError: nil, completion: completion) }
        AddressResolver.resolve(host, port: port, on: poller) { [self] resolved in
            guard !abandoned else { return }
            switch resolved {
            case .failure(let failure): completion(failure)
            case .success(let addresses): connect(to: addresses[...], lastError: nil, completion: completion)
            }
        }
    }

    private func connect(to addresses: ArraySlice<AddressResolver.Address>, lastError: SocketIO.Failure?,
                         completion: @escaping (SocketIO.Failure?) -> Void) {
        guard var address = addresses.first else {
            completion(lastError ?? SocketIO.Failure(message: "connect: no address", timedOut: false))
            return
        }
        let rest = addresses.dropFirst()
        let candidate = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard candidate >= 0 else {
            connect(to: rest, lastError: SocketIO.Failure(message: "socket: \(String(cString: strerror(errno)))", timedOut: false), completion: completion)
            return
        }
        let status = withUnsafePointer(to: &address.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(candidate, $0, address.length) }
        }
        descriptor = candidate
        if status == 0 { completion(nil); return }
        guard errno == EINPROGRESS else {
            let failure = SocketIO.Failure(message: "connect: \(String(cString: strerror(errno)))", timedOut: false)
            closeDescriptor()
            connect(to: rest, lastError: failure, completion: completion)
            return
        }
        poller.watch(candidate, for: EPOLLOUT.rawValue) { [self] ready in
            // Writable without an error: connected (SO_ERROR is read only to name a failure).
            poller.park(candidate)
            if ready & (EPOLLERR.rawValue | EPOLLHUP.rawValue) == 0 { completion(nil); return }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(candidate, SOL_SOCKET, SO_ERROR, &socketError, &length)
            if socketError == 0 { socketError = ECONNRESET }
            let failure = SocketIO.Failure(message: "connect: \(String(cString: strerror(socketError)))", timedOut: false)
            closeDescriptor()
            connect(to: rest, lastError: failure, completion: completion)
        }
    }

    /// Writes all of `bytes`; `completion` gets nil once the kernel has them.
    func send(_ bytes: [UInt8], completion: @escaping (SocketIO.Failure?) -> Void) {
        if step == "connect" {
            // A request goes out at once rather than waiting to be merged with the next one.
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        step = "send"
        pending = bytes
        sent = completion
        writePending()
    }

    private func writePending() {
        while !pending.isEmpty {
            let written = pending.withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 { pending.removeFirst(written); continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                poller.watch(descriptor, for: EPOLLOUT.rawValue) { [self] _ in writePending() }
                return
            }
            finishSend(SocketIO.Failure(message: "send: \(String(cString: strerror(errno)))", timedOut: false))
            return
        }
        finishSend(nil)
    }

    private func finishSend(_ failure: SocketIO.Failure?) {
        if reader == nil && isOpen { poller.park(descriptor) }
        let completion = sent
        sent = nil
        completion?(failure)
    }

    /// Hands `handler` whatever arrives until `stopReceiving` or `close`.
    func receive(_ handler: @escaping (Received) -> Void) {
        step = "receive"
        reader = handler
        poller.watch(descriptor, for: EPOLLIN.rawValue) { [self] _ in readAvailable() }
    }

    /// Keeps the connection but stops reading from it (it stays registered with the poller, so
    /// the next `receive` costs no system call).
    func stopReceiving() {
        reader = nil
        if isOpen { poller.park(descriptor) }
    }

    private func readAvailable() {
        while let reader, isOpen {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                reader(.bytes(Array(buffer[..<count])))
                if count < buffer.count { return }
                continue
            }
            if count == 0 { stopReceiving(); reader(.closed); return }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            if errno == EINTR { continue }
            let failure = SocketIO.Failure(message: "receive: \(String(cString: strerror(errno)))", timedOut: false)
            stopReceiving()
            reader(.failed(failure))
            return
        }
    }

    /// Closes the connection for good.
    func close() {
        abandoned = true
        closeDescriptor()
    }

    private func closeDescriptor() {
        guard isOpen else { return }
        poller.forget(descriptor)
        Foundation.close(descriptor)
        descriptor = -1
        reader = nil
        sent = nil
        pending = []
    }

    deinit { closeDescriptor() }
}
