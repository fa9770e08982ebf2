/// A container's processes, as this host sees them: what the process-kill fault acts through.
public protocol ContainerProcessAccess: Sendable {
    /// Every process of the container whose main process is host process `mainPID` (the engine's
    /// `State.Pid`), the main process among them.
    func processes(ofContainerWithMainProcess mainPID: Int) throws -> [ContainerProcess]
    /// Sends `signal` to `process` if it is still the process that was listed (same PID and start
    /// time); false when it has ended meanwhile (nothing was signalled).
    func signal(_ process: ContainerProcess, _ signal: Int32) throws -> Bool

    /// The cgroup directories of the container whose main process is `mainPID` (every hierarchy it
    /// is in): where a hog is placed, and looked for again by its revert.
    func cgroups(ofContainerWithMainProcess mainPID: Int) throws -> [String]
    /// Starts `command` in those cgroups and in the container's PID namespace (with `network`: its
    /// network namespace instead), its processes marked with `token` and all killed at `deadline`
    /// from now whatever else happens; returns once it runs there, or throws saying why it could not start.
    func startHog(_ command: [String], token: String, cgroups: [String], mainPID: Int, network: Bool, deadline: Duration) async throws
    /// Kills every process in `cgroups` marked with `token` and waits until they are gone; how many it killed.
    func stopHog(token: String, in cgroups: [String]) async throws -> Int
}

/// One process of a container.
public struct ContainerProcess: Sendable, Equatable, Codable {
    /// Its PID in this host's (the engine's) PID namespace.
    public let pid: Int
    /// Clock ticks after boot when it started: with the PID, it names this process and no later one.
    public let startTime: UInt64
    /// Its arguments joined by spaces; `[name]` when it has none (a zombie).
    public let commandLine: String
    /// Whether it is the container's main process (PID 1 inside the container).
    public let isMain: Bool

    public init(pid: Int, startTime: UInt64, commandLine: String, isMain: Bool) {
        self.pid = pid
        self.startTime = startTime
        self.commandLine = commandLine
        self.isMain = isMain
    }

    /// `sleep 300 (pid 4711)`, `sh -c … (main process)`.
    public var described: String { "\(commandLine.prefix(60))\(commandLine.count > 60 ? "…" : "") (\(isMain ? "main process" : "pid \(pid)"))" }
}
