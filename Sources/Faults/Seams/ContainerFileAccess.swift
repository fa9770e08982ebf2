/// A container's filesystems as this host reaches them (`/proc/PID/root/…`, a mount's source):
/// what the disk-fill, io-hog and io-limit faults act through, and where the dns fault reads the
/// container's resolver.
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
    /// The text of `file` (a path this host reaches), never through a symbolic link at its end.
    func readText(_ file: String) throws -> String
    /// Creates the directory `path` (never an existing one); a scratch directory of a fault's.
    func makeDirectory(_ path: String) throws
    /// Removes `path`: a file, or a directory with everything in it (symbolic links removed, never
    /// followed); false when it was not there.
    func remove(_ path: String) throws -> Bool
    /// The whole disk (`major:minor`, what blkio throttling takes) holding the filesystem of
    /// `path` on this host; nil when no block device backs it (a tmpfs).
    func blockDevice(of path: String) throws -> String?
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
