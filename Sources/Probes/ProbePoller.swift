import CSpawn
import Foundation
import Synchronization

/// One thread that waits on every polled probe's sockets and deadlines at once (epoll), so a
/// campaign with thousands of probes costs one thread's wake-ups instead of a task, a timer and a
/// blocking thread per probe (#19: 2,000 probes at 10 Hz reached 64 % of their rate on 1.2 cores
/// with a thread each).
///
/// Everything a `PolledProbe` does runs on its poller's thread: its steps must not block. Other
/// threads hand work over with `submit`. The process has one poller per core (`all`, at most
/// four); each probe is given one when it is made (`assign`) and keeps it. A poller's thread
/// sleeps in `epoll_pwait2` while nothing is due.
public final class ProbePoller: @unchecked Sendable {
    // @unchecked: `watchers` and `timers` are touched only on the poller's thread; `inbox` is a Mutex.
    /// One poller per core, at most four, started on first use.
    public static let all: [ProbePoller] = (0..<min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))).map { ProbePoller(index: $0) }
    private static let assigned = Atomic<Int>(0)

    /// The poller a new probe is to use: round robin over `all`, so that probes made together
    /// spread evenly.
    public static func assign() -> ProbePoller {
        let turn = assigned.add(1, ordering: .relaxed).oldValue
        return all[turn % all.count]
    }

    private let epoll: Int32
    private let wakeDescriptor: Int32
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private var watchers: [Int32: Watcher] = [:]
    private var timers = PollerTimers()
    /// The multi handle the HTTP probes' transfers run on, made on first use.
    lazy var curl = PolledCurl(poller: self)

    private init(index: Int) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        precondition(epoll >= 0 && wakeDescriptor >= 0, "faultline: cannot create the probe poller's epoll or eventfd: \(String(cString: strerror(errno)))")
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.token(wakeDescriptor, 0)
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeDescriptor, &event)
        let thread = Thread { [self] in loop() }
        thread.name = "faultline.poller.\(index)"
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

    // MARK: On the poller's thread only

    /// Calls `handler` with the ready events (`EPOLLIN`, `EPOLLOUT`, `EPOLLERR`, `EPOLLHUP`) each
    /// time `descriptor` is ready for `events`, until `unwatch`, `park` or `forget`. Watching again
    /// changes the events; with the same events it costs no system call.
    func watch(_ descriptor: Int32, for events: UInt32, handler: @escaping (UInt32) -> Void) {
        let registered = watchers[descriptor]
        let generation = registered?.generation ?? nextGeneration()
        watchers[descriptor] = Watcher(events: events, generation: generation, handler: handler)
        if registered?.events == events { return }
        var event = epoll_event()
        event.events = events
        event.data.u64 = Self.token(descriptor, generation)
        var status = epoll_ctl(epoll, registered == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, descriptor, &event)
        // Closing a descriptor takes it out of epoll; its number may since have been reused.
        if status != 0 && errno == ENOENT { status = epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) }
        if status != 0 {
            // A descriptor epoll refuses (closed, not pollable) is reported as an error at once.
            watchers[descriptor] = nil
            after(.zero) { handler(EPOLLERR.rawValue) }
        }
    }

    /// Stops watching `descriptor`, which stays open.
    func unwatch(_ descriptor: Int32) {
        guard watchers.removeValue(forKey: descriptor) != nil else { return }
        var event = epoll_event()
        epoll_ctl(epoll, EPOLL_CTL_DEL, descriptor, &event)
    }

    /// Keeps `descriptor` registered with no handler, so that watching it again for the same
    /// events costs nothing (a kept-alive connection between checks); should it become ready
    /// meanwhile (the peer closed), it is unwatched then.
    func park(_ descriptor: Int32) {
        watchers[descriptor]?.handler = nil
    }

    /// Forgets `descriptor` without a system call: the caller closes it now, which takes it out of epoll.
    func forget(_ descriptor: Int32) {
        watchers[descriptor] = nil
    }

    private struct Watcher {
        let events: UInt32
        /// Tells this registration's events from those of an earlier socket that had the same number.
        let generation: UInt32
        var handler: ((UInt32) -> Void)?
    }

    private var generations: UInt32 = 0

    private func nextGeneration() -> UInt32 {
        generations = generations == .max ? 1 : generations + 1
        return generations
    }

    /// epoll's data for a registration: the descriptor and its generation (0: the wake-up eventfd).
    private static func token(_ descriptor: Int32, _ generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: descriptor))
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
            let wait = timers.nanosecondsUntilNext(now: .now)
            let ready = events.withUnsafeMutableBufferPointer { fl_epoll_wait_nanoseconds(epoll, $0.baseAddress, Int32($0.count), wait) }
            guard ready > 0 else { continue }
            for index in 0..<Int(ready) {
                let token = events[index].data.u64
                let descriptor = Int32(bitPattern: UInt32(truncatingIfNeeded: token))
                if descriptor == wakeDescriptor && token >> 32 == 0 {
                    var count: UInt64 = 0
                    _ = read(wakeDescriptor, &count, 8)
                    continue
                }
                // A handler may have unwatched (and closed) a descriptor reported in this batch, and
                // a new socket may have its number: an event of the old one is not the new one's.
                guard let watcher = watchers[descriptor], UInt64(watcher.generation) == token >> 32 else { continue }
                if let handler = watcher.handler { handler(events[index].events) } else { unwatch(descriptor) }
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
