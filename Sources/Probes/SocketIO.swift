import Foundation

/// Small non-blocking socket helpers with poll(2) deadlines, for the TCP probe.
enum SocketIO {
    /// An I/O step that failed; `timedOut` tells a deadline from a refusal or reset.
    struct Failure: Error {
        let message: String
        let timedOut: Bool
    }

    /// Connects to host:port before the deadline; returns the connected, non-blocking descriptor.
    static func connect(host: String, port: Int, deadline: PollDeadline) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw Failure(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))", timedOut: false)
        }
        defer { freeaddrinfo(list) }
        var lastError = Failure(message: "no address for \(host)", timedOut: false)
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { continue }
            if Foundation.connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return descriptor }
            guard errno == EINPROGRESS else {
                lastError = Failure(message: "connect: \(String(cString: strerror(errno)))", timedOut: false)
                close(descriptor)
                continue
            }
            do {
                try wait(descriptor, for: Int16(POLLOUT), deadline: deadline, doing: "connect")
            } catch {
                close(descriptor)
                if error.timedOut { throw error }
                lastError = error
                continue
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
            if socketError == 0 { return descriptor }
            lastError = Failure(message: "connect: \(String(cString: strerror(socketError)))", timedOut: false)
            close(descriptor)
        }
        throw lastError
    }

    /// Waits until `descriptor` is ready for `events` or the deadline passes.
    static func wait(_ descriptor: Int32, for events: Int16, deadline: PollDeadline, doing what: String) throws(Failure) {
        while true {
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let remaining = deadline.remainingMilliseconds
            guard remaining > 0 else { throw Failure(message: "\(what): no answer before the deadline", timedOut: true) }
            let ready = poll(&entry, 1, remaining)
            if ready > 0 { return }
            if ready == 0 { throw Failure(message: "\(what): no answer before the deadline", timedOut: true) }
            if errno != EINTR { throw Failure(message: "\(what): poll failed: \(String(cString: strerror(errno)))", timedOut: false) }
        }
    }

    /// Writes all of `bytes` before the deadline.
    static func send(_ descriptor: Int32, _ bytes: [UInt8], deadline: PollDeadline) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 { offset += written; continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                try wait(descriptor, for: Int16(POLLOUT), deadline: deadline, doing: "send")
                continue
            }
            throw Failure(message: "send: \(String(cString: strerror(errno)))", timedOut: false)
        }
    }

    /// Reads until `done(received)` is true, the peer closes, or the deadline passes (at most
    /// `limit` bytes). A deadline with nothing received throws; with a partial answer it returns it.
    static func receive(_ descriptor: Int32, deadline: PollDeadline, limit: Int = 65_536,
                        until done: ([UInt8]) -> Bool) throws(Failure) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !done(received) && received.count < limit {
            do {
                try wait(descriptor, for: Int16(POLLIN), deadline: deadline, doing: "receive")
            } catch where error.timedOut && !received.isEmpty {
                return received
            }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { received += buffer[..<count]; continue }
            if count == 0 { break }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
            throw Failure(message: "receive: \(String(cString: strerror(errno)))", timedOut: false)
        }
        return received
    }
}
