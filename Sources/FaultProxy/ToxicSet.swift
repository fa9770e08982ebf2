import Synchronization

/// The toxics of one proxy; campaigns add and remove them while connections are open, and every
/// chunk forwarded looks at the current set.
public final class ToxicSet: Sendable {
    private let toxics = Mutex<[Toxic]>([])

    public init(_ initial: [Toxic] = []) { toxics.withLock { $0 = initial } }

    public var current: [Toxic] { toxics.withLock { $0 } }

    /// Adds a toxic; a toxic with the same name is replaced.
    public func add(_ toxic: Toxic) {
        toxics.withLock { list in
            list.removeAll { $0.name == toxic.name }
            list.append(toxic)
        }
    }

    /// Removes the toxic; true when there was one with that name.
    @discardableResult
    public func remove(named name: String) -> Bool {
        toxics.withLock { list in
            let before = list.count
            list.removeAll { $0.name == name }
            return list.count != before
        }
    }
}
