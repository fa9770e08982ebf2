import Faults
import Synchronization

/// A container's filesystems held in memory: directories by main PID, one filesystem's size and
/// free space, the files a fill made (a fill takes their bytes from the free space).
public final class FakeFiles: ContainerFileAccess, Sendable {
    public struct State {
        /// Main PID → directories inside the container that exist.
        public var directories: [Int: Set<String>] = [:]
        public var space = FilesystemSpace(total: 100 << 20, available: 60 << 20)
        /// Reached path → bytes.
        public var files: [String: Int64] = [:]
        /// Texts by path (a container's resolv.conf, /proc/PID/net/udp).
        public var texts: [String: String] = [:]
        /// Directories a fault made (reached paths).
        public var madeDirectories: Set<String> = []
        /// Host path prefix → the disk under it; a path under none has no disk (a tmpfs).
        public var disks: [String: String] = [:]
    }

    public let state = Mutex(State())

    public init() {}

    public var files: [String: Int64] { state.withLock { $0.files } }

    public func reach(_ directory: String, mainPID: Int) throws -> String {
        try state.withLock { state in
            guard state.directories[mainPID]?.contains(directory) == true else { throw FaultProcessError(message: "\(directory) does not exist in the container") }
            return "/proc/\(mainPID)/root" + directory
        }
    }

    public func space(of directory: String) throws -> FilesystemSpace { state.withLock { $0.space } }

    public func fill(_ file: String, bytes: Int64) throws {
        try state.withLock { state in
            guard state.files[file] == nil else { throw FaultProcessError(message: "create \(file): File exists") }
            guard bytes <= state.space.available else { throw FaultProcessError(message: "allocate \(bytes) bytes for \(file): No space left on device") }
            state.files[file] = bytes
            state.space = FilesystemSpace(total: state.space.total, available: state.space.available - bytes)
        }
    }

    public func readText(_ file: String) throws -> String {
        try state.withLock { state in
            guard let text = state.texts[file] else { throw FaultProcessError(message: "read \(file): No such file or directory") }
            return text
        }
    }

    public func makeDirectory(_ path: String) throws {
        try state.withLock { state in
            guard state.madeDirectories.insert(path).inserted else { throw FaultProcessError(message: "create directory \(path): File exists") }
        }
    }

    public func blockDevice(of path: String) throws -> String? {
        state.withLock { state in state.disks.filter { path.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value }
    }

    public func remove(_ file: String) throws -> Bool {
        state.withLock { state in
            if state.madeDirectories.remove(file) != nil { return true }
            guard let bytes = state.files.removeValue(forKey: file) else { return false }
            state.space = FilesystemSpace(total: state.space.total, available: state.space.available + bytes)
            return true
        }
    }
}
