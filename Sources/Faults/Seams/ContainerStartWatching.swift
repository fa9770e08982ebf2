import DockerEngine
import Foundation

/// Tells when a container starts (again): what keeps a network fault in place across a restart
/// inside its window, since a restart makes the container's network namespace anew.
public protocol ContainerStartWatching: Sendable {
    /// Every `start` of the container from `since` on, until the caller stops iterating.
    func starts(of containerID: String, since: Date) throws -> AsyncThrowingStream<Void, any Error>
}

extension DockerEngineClient: ContainerStartWatching {
    public func starts(of containerID: String, since: Date) throws -> AsyncThrowingStream<Void, any Error> {
        let events = try events(filters: ["type": ["container"], "container": [containerID], "event": ["start"]],
                                since: String(format: "%.6f", since.timeIntervalSince1970))
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await _ in events { continuation.yield(()) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
