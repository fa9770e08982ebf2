import Synchronization

/// A value set once from one task and read from others (a hang-up, a reason to stop): a
/// reference, so escaping closures can share it where a `Mutex` itself cannot be captured.
public final class SharedFlag<Value: Sendable>: Sendable {
    private let storage = Mutex<Value?>(nil)

    public init() {}

    public var value: Value? { storage.withLock { $0 } }

    public func set(_ value: Value) { storage.withLock { $0 = value } }
}
