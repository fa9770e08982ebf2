import DockerEngine
import FaultlineSupport
import Foundation

/// Reverts a cpu, memory or io-limit fault: writes the original values back into the container's live
/// cgroup files, in order. Skipped when the container restarted since the inject (its cgroup was
/// made anew from its own configuration, so the fault is already gone) or no longer runs.
public struct CgroupRestoreStep: Sendable, Equatable, Codable {
    /// One cgroup file and the value to write.
    public struct FileValue: Sendable, Equatable, Codable {
        public let path: String
        public let value: String
        /// For a file with one line per device (`blkio.throttle.*`, `io.max`): what the line for
        /// `value`'s device reads as while the file has none (`8:0 0`). The file is then compared
        /// by that line alone; nil: by its whole text.
        public let absent: String?

        public init(path: String, value: String, absent: String? = nil) {
            self.path = path
            self.value = value
            self.absent = absent
        }

        /// What the file shows for this value: its whole text, or the line of this value's device.
        func shown(in text: String) -> String {
            guard let absent else { return text }
            return CgroupRestoreStep.line(of: String(value.prefix { $0 != " " }), in: text) ?? absent
        }
    }

    /// The line of a per-device cgroup file (`8:0 1048576`) that belongs to `device`.
    static func line(of device: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.prefix { $0 != " " } == device }.map(String.init)
    }

    public let containerID: String
    /// `State.StartedAt` when the fault was prepared: identifies this run of the container.
    public let startedAt: String
    public let writes: [FileValue]

    public init(containerID: String, startedAt: String, writes: [FileValue]) {
        self.containerID = containerID
        self.startedAt = startedAt
        self.writes = writes
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        switch try await RunIdentity.check(containerID, startedAt: startedAt, in: environment,
                                           notRunning: "container not running; its cgroup is gone",
                                           restarted: "container restarted since the inject") {
        case .over(let outcome): return outcome
        case .same: break
        }
        let cgroups = environment.cgroups, writes = writes
        return try await BlockingIO.run { () throws -> RevertOutcome in
            var changed = false
            for write in writes {
                guard cgroups.exists(write.path) else { return .alreadyClear("cgroup file \(write.path) is gone") }
                if write.shown(in: try cgroups.read(write.path)) != write.value {
                    try cgroups.write(write.path, value: write.value)
                    changed = true
                }
            }
            return changed ? .restored : .alreadyClear("cgroup already has its original values")
        }
    }
}
