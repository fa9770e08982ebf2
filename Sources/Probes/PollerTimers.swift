import FaultlineSupport

/// The poller's deadlines: a binary min-heap of instants; a cancelled entry is skipped when it
/// comes up.
struct PollerTimers {
    struct Token: Hashable { fileprivate let id: UInt64 }

    private struct Entry { let instant: ContinuousClock.Instant; let id: UInt64 }
    private var heap: [Entry] = []
    private var actions: [UInt64: () -> Void] = [:]
    private var nextID: UInt64 = 0

    mutating func add(at instant: ContinuousClock.Instant, _ action: @escaping () -> Void) -> Token {
        nextID += 1
        actions[nextID] = action
        heap.append(Entry(instant: instant, id: nextID))
        siftUp(heap.count - 1)
        return Token(id: nextID)
    }

    mutating func cancel(_ token: Token) { actions[token.id] = nil }

    var isEmpty: Bool { actions.isEmpty }

    /// The earliest action due at `now`, taken off (run it outside the timers: it may add or
    /// cancel others); nil when none is due.
    mutating func popDue(now: ContinuousClock.Instant) -> (() -> Void)? {
        while let first = heap.first, first.instant <= now {
            removeFirst()
            if let action = actions.removeValue(forKey: first.id) { return action }
        }
        return nil
    }

    /// For epoll_pwait2: nanoseconds until the earliest live deadline (0 when due); -1 when none.
    mutating func nanosecondsUntilNext(now: ContinuousClock.Instant) -> Int64 {
        while let first = heap.first, actions[first.id] == nil { removeFirst() }
        guard let first = heap.first else { return -1 }
        let left = first.instant - now
        if left <= .zero { return 0 }
        return left.nanoseconds
    }

    private mutating func removeFirst() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].instant < heap[parent].instant else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].instant < heap[smallest].instant { smallest = left }
            if right < heap.count, heap[right].instant < heap[smallest].instant { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
