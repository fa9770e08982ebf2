import Synchronization

/// A value that callbacks on other threads append to while a test waits.
public final class LockedBox<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    public init(_ value: Value) { storage = Mutex(value) }

    public var value: Value { storage.withLock { $0 } }

    public func mutate(_ change: (inout Value) -> Void) { storage.withLock { change(&$0) } }
}
