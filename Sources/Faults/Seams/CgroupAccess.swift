/// Reads and writes a container's live cgroup files: what the cpu, memory and io-limit faults use.
///
/// Writing the cgroup directly (instead of the engine's `update`) leaves the container's
/// HostConfig untouched, so the revert restores exactly what was there; the engine cannot clear a
/// memory or `NanoCpus` limit once `update` has set it.
public protocol CgroupAccess: Sendable {
    /// The cgroup directory of `controller` (`cpu`, `memory`) for host process `pid`.
    func directory(controller: CgroupController, pid: Int) throws -> CgroupDirectory
    func read(_ path: String) throws -> String
    func write(_ path: String, value: String) throws
    func exists(_ path: String) -> Bool
}

/// The cgroup controllers faults use (`blkio` is v1's name; v2 calls it `io`).
public enum CgroupController: String, Sendable, Codable {
    case cpu, memory, blkio
}

/// A container's cgroup directory for one controller, and which cgroup version it belongs to.
public struct CgroupDirectory: Sendable, Equatable, Codable {
    public enum Version: String, Sendable, Codable { case v1, v2 }
    public let path: String
    public let version: Version

    public init(path: String, version: Version) {
        self.path = path
        self.version = version
    }

    public func file(_ name: String) -> String { path + "/" + name }
}
