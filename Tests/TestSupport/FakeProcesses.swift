import Faults
import Synchronization

/// A container's processes held in memory: listed by their container's main PID, signalled
/// (recorded, and a process sent SIGKILL or SIGTERM ends), ending on demand between listing and signal.
public final class FakeProcesses: ContainerProcessAccess, Sendable {
    public struct State {
        /// Main PID → the container's processes.
        public var byContainer: [Int: [ContainerProcess]] = [:]
        public var signals: [(pid: Int, signal: Int32)] = []
        /// Main PID → its cgroup directories.
        public var cgroups: [Int: [String]] = [:]
        /// Running hogs: token → (command, cgroups).
        public var hogs: [String: (command: [String], cgroups: [String])] = [:]
        /// What startHog throws, when set.
        public var hogFailure: (any Error)?
    }

    public let state = Mutex(State())

    public init() {}

    public func set(mainPID: Int, _ processes: [ContainerProcess]) { state.withLock { $0.byContainer[mainPID] = processes } }
    public var signals: [(pid: Int, signal: Int32)] { state.withLock { $0.signals } }
    public func living(mainPID: Int) -> [ContainerProcess] { state.withLock { $0.byContainer[mainPID] ?? [] } }
    /// Ends a process without a signal (it exits by itself).
    public func end(pid: Int) { state.withLock { state in for key in state.byContainer.keys { state.byContainer[key]?.removeAll { $0.pid == pid } } } }

    public func processes(ofContainerWithMainProcess mainPID: Int) throws -> [ContainerProcess] {
        try state.withLock { state in
            guard let processes = state.byContainer[mainPID] else { throw FaultProcessError(message: "no cgroup for process \(mainPID)") }
            return processes
        }
    }

    public func cgroups(ofContainerWithMainProcess mainPID: Int) throws -> [String] {
        try state.withLock { state in
            guard let directories = state.cgroups[mainPID] else { throw FaultProcessError(message: "no cgroup for process \(mainPID)") }
            return directories
        }
    }

    public func startHog(_ command: [String], token: String, cgroups: [String], mainPID: Int, network: Bool, deadline: Duration) async throws {
        try state.withLock { state in
            if let failure = state.hogFailure { throw failure }
            state.hogs[token] = (command, cgroups)
        }
    }

    public func stopHog(token: String, in cgroups: [String]) async throws -> Int {
        state.withLock { state in state.hogs.removeValue(forKey: token) == nil ? 0 : 1 }
    }

    /// Ends a hog as its own time-out would.
    public func hogTimesOut(_ token: String) { state.withLock { _ = $0.hogs.removeValue(forKey: token) } }
    public var hogs: [String: (command: [String], cgroups: [String])] { state.withLock { $0.hogs } }

    public func signal(_ process: ContainerProcess, _ signal: Int32) throws -> Bool {
        state.withLock { state in
            guard let main = state.byContainer.first(where: { $0.value.contains(process) })?.key else { return false }
            state.signals.append((process.pid, signal))
            if signal == 9 || signal == 15 { state.byContainer[main]?.removeAll { $0 == process } }
            return true
        }
    }
}
