/// A container's filesystems as this host reaches them (`/proc/PID/root/…`, a mount's source):
/// what the disk-fill fault acts through.
public protocol ContainerFileAccess: Sendable {
    /// `directory` inside the container whose main process is `mainPID`, as a path this host
    /// reaches (`/proc/PID/root/…`); refused when a component of it is a symbolic link (one would
    /// resolve against this host's root, not the container's).
    func reach(_ directory: String, mainPID: Int) throws -> String
    /// The size and free space of the filesystem holding `directory` (a path this host reaches);
    /// throws when it is not a directory.
    func space(of directory: String) throws -> FilesystemSpace
    /// Creates `file` (never an existing one, never through a symlink) taking `bytes` of disk.
    func fill(_ file: String, bytes: Int64) throws
    /// Removes `file`; false when it was not there.
    func remove(_ file: String) throws -> Bool
}

/// A filesystem's size and what is free on it, in bytes.
public struct FilesystemSpace: Sendable, Equatable {
    public let total: Int64
    /// Free to an unprivileged writer (`f_bavail`).
    public let available: Int64

    public init(total: Int64, available: Int64) {
        self.total = total
        self.available = available
    }

    public var used: Int64 { total - available }
}
