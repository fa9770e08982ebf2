import Dispatch

/// Runs blocking system calls (fsync, cgroup writes that make the kernel reclaim memory, file
/// locks) on a dispatch thread instead of Swift's cooperative pool, which has only one thread
/// per core: a blocked pool thread there delays every probe and the scheduler.
///
/// On Linux the cooperative pool is built on libdispatch's global concurrent queues, so blocking
/// work must not go there either (a `.concurrent` queue or `DispatchQueue.global()` shares the
/// same ncpu-wide pool). A serial queue is served by an overcommit thread of its own.
public enum BlockingIO {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "faultline.blocking-io").async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The same for work that cannot fail.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue(label: "faultline.blocking-io").async { continuation.resume(returning: body()) }
        }
    }
}
