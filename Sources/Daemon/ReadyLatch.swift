import Synchronization

/// Calls `then` once, when `count` listeners have said they accept connections: "daemon ready"
/// means every listener, not only the first.
final class ReadyLatch: Sendable {
    private let remaining: Mutex<Int>
    private let then: @Sendable () -> Void

    init(count: Int, then: @escaping @Sendable () -> Void) {
        remaining = Mutex(count)
        self.then = then
    }

    func arrive() {
        let last = remaining.withLock { count -> Bool in
            count -= 1
            return count == 0
        }
        if last { then() }
    }
}
