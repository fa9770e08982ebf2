import Faults
import Synchronization

/// A container's processes held in memory: listed by their container's main PID, signalled
/// (recorded, and a process sent SIGKILL or SIGTERM ends), ending on demand between listing and signal.
public final class FakeProcesses: ContainerProcessAccess, Sendable {
    public struct State {
        /// Main PID → the container's processes.
        public var byContainer: [Int: [ContainerProcess]] = [:]
        public var signals: [(pid: Int, signal: Int32)] = []
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

    public func signal(_ process: ContainerProcess, _ signal: Int32) throws -> Bool {
        state.withLock { state in
            guard let main = state.byContainer.first(where: { $0.value.contains(process) })?.key else { return false }
            state.signals.append((process.pid, signal))
            if signal == 9 || signal == 15 { state.byContainer[main]?.removeAll { $0 == process } }
            return true
        }
    }
}
