/// A packet the engine holds: its queue id, when it is due, and what to do on release.
struct HeldPacket {
    let id: UInt32
    let due: ContinuousClock.Instant
    /// Arrival order: packets due at the same instant leave in the order they came.
    let order: UInt64
    let payload: [UInt8]?
    /// Its length from its IP header (what counts toward the byte bound).
    let bytes: Int
    let corrupted: Bool
    let duplicate: Bool
}

/// Held packets by due time (a binary min-heap).
struct ReleaseQueue {
    private var heap: [HeldPacket] = []

    var count: Int { heap.count }
    var nextDue: ContinuousClock.Instant? { heap.first?.due }

    mutating func push(_ packet: HeldPacket) {
        heap.append(packet)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest packet if it is due by `now` (any, when nil).
    mutating func popDue(by now: ContinuousClock.Instant?) -> HeldPacket? {
        guard let first = heap.first, now.map({ first.due <= $0 }) ?? true else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && Self.before(heap[right], heap[smallest]) { smallest = right }
            guard smallest != parent else { return first }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private static func before(_ a: HeldPacket, _ b: HeldPacket) -> Bool { a.due < b.due || (a.due == b.due && a.order < b.order) }
}
