import Foundation

/// Socket helpers for probes: a poll(2) wait with a deadline (the PostgreSQL probe), and the
/// failure every socket step reports.
enum SocketIO {
    /// An I/O step that failed; `timedOut` tells a deadline from a refusal or reset.
    struct Failure: Error {
        let message: String
        let timedOut: Bool

        /// The message without the step it names (`connect: Connection refused` → `Connection refused`).
        var cause: String {
            guard let colon = message.range(of: ": ") else { return message }
            return String(message[colon.upperBound...])
        }
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
}
