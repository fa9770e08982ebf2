import CSpawn
import Foundation
import Synchronization

/// One thread that waits on every polled probe's sockets and deadlines at once (epoll), so a
/// campaign with thousands of probes costs one thread's wake-ups instead of a task, a timer and a
/// blocking thread per probe (#19: 2,000 probes at 10 Hz reached 64 % of their rate on 1.2 cores
/// with a thread each).
///
/// Everything a `PolledProbe` does runs on this thread: its steps must not block. Other threads
/// hand work over with `submit`. One poller serves the whole process (`shared`); its thread sleeps
/// in `epoll_wait` while nothing is due.
public final class ProbePoller: @unchecked Sendable {
    // @unchecked: `watchers` and `timers` are touched only on the poller's thread; `inbox` is a Mutex.
    public static let shared = ProbePoller()

    private let epoll: Int32
    private let wakeDescriptor: Int32
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private var watchers: [Int32: (UInt32) -> Void] = [:]
    private var timers = PollerTimers()
    /// The multi handle the HTTP probes' transfers run on, made on first use.
    lazy var curl = PolledCurl(poller: self)

    private init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        precondition(epoll >= 0 && wakeDescriptor >= 0, "faultline: cannot create the probe poller's epoll or eventfd: \(String(cString: strerror(errno)))")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeDescriptor
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeDescriptor, &event)
        let thread = Thread { [self] in loop() }
        thread.name = "faultline.poller"
        thread.start()
    }

    /// Runs `work` on the poller's thread, soon.
    public func submit(_ work: @escaping @Sendable () -> Void) {
        let wasEmpty = inbox.withLock { queue in
            queue.append(work)
            return queue.count == 1
        }
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(wakeDescriptor, &one, 8)
        }
    }

    /// Whether the caller runs on the poller's thread.
    var isCurrent: Bool { Thread.current.name == "faultline.poller" }

    // MARK: On the poller's thread only

    /// Calls `handler` with the ready events (`EPOLLIN`, `EPOLLOUT`, `EPOLLERR`, `EPOLLHUP`) each
    /// time `descriptor` is ready for `events`, until `unwatch`. Watching again changes the events.
    func watch(_ descriptor: Int32, for events: UInt32, handler: @escaping (UInt32) -> Void) {
        var event = epoll_event()
        event.events = events
        event.data.fd = descriptor
        let operation = watchers[descriptor] == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        watchers[descriptor] = handler
        if epoll_ctl(epoll, operation, descriptor, &event) != 0 {
            // A descriptor epoll refuses (closed, not pollable) is reported as an error at once.
            watchers[descriptor] = nil
            after(.zero) { handler(EPOLLERR.rawValue) }
        }
    }

    /// Stops watching `descriptor`; call before closing it.
    func unwatch(_ descriptor: Int32) {
        guard watchers.removeValue(forKey: descriptor) != nil else { return }
        var event = epoll_event()
        epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, &event)
    }

    /// Runs `action` once `delay` has passed; the token cancels it.
    @discardableResult
    func after(_ delay: Duration, _ action: @escaping () -> Void) -> PollerTimers.Token {
        timers.add(at: .now + delay, action)
    }

    /// Runs `action` at `instant` (at once when it has passed).
    @discardableResult
    func at(_ instant: ContinuousClock.Instant, _ action: @escaping () -> Void) -> PollerTimers.Token {
        timers.add(at: instant, action)
    }

    func cancel(_ token: PollerTimers.Token) { timers.cancel(token) }

    private func loop() {
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while true {
            runInbox()
            let now = ContinuousClock.now
            while let due = timers.popDue(now: now) { due() }
            runInbox()
            let wait = timers.millisecondsUntilNext(now: .now)
            let ready = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), wait) }
            guard ready > 0 else { continue }
            for index in 0..<Int(ready) {
                let descriptor = events[index].data.fd
                if descriptor == wakeDescriptor {
                    var count: UInt64 = 0
                    _ = read(wakeDescriptor, &count, 8)
                    continue
                }
                // A handler may have unwatched (and closed) a descriptor reported in this batch.
                watchers[descriptor]?(events[index].events)
            }
        }
    }

    private func runInbox() {
        while true {
            let work = inbox.withLock { queue in
                let taken = queue
                queue.removeAll(keepingCapacity: true)
                return taken
            }
            if work.isEmpty { return }
            work.forEach { $0() }
        }
    }
}
