import DockerEngine

/// What a memory hog that seeks the OOM killer reports at its revert: how often the OOM killer
/// acted in the container's memory cgroup since the inject, and what the engine then says of the
/// container (still running, or exited and whether it calls that an OOM kill).
public struct OOMWatch: Sendable, Equatable, Codable {
    public let containerID: String
    /// `memory.oom_control` (cgroup v1) or `memory.events` (v2): both count `oom_kill N`.
    public let countFile: String
    public let killsBefore: Int

    public init(containerID: String, countFile: String, killsBefore: Int) {
        self.containerID = containerID
        self.countFile = countFile
        self.killsBefore = killsBefore
    }

    /// The `oom_kill` count of such a file.
    static func kills(in text: String) -> Int? {
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, words[0] == "oom_kill" { return Int(words[1]) }
        }
        return nil
    }

    /// One line: `the OOM killer acted 1 time in the container; the engine reports it running`.
    func note(in environment: FaultEnvironment) async -> String {
        var parts: [String] = []
        if let text = try? environment.cgroups.read(countFile), let now = Self.kills(in: text) {
            let times = now - killsBefore
            parts.append(times == 0 ? "the OOM killer did not act in the container" : "the OOM killer acted \(times) time\(times == 1 ? "" : "s") in the container")
        } else {
            parts.append("its OOM count went with its cgroup")
        }
        if let state = try? await environment.containers.inspectContainer(containerID).state {
            parts.append(state.running ? "the engine reports it running"
                                       : "the engine reports it exited \(state.exitCode)\(state.oomKilled ? ", OOMKilled" : ", not OOMKilled")")
        } else {
            parts.append("the container is gone")
        }
        return parts.joined(separator: "; ")
    }
}
