import DockerEngine
import FaultlineSupport
import Foundation

/// Fills the filesystem under a directory of a running container with one marked file
/// (`.faultline-fill-TOKEN`), sized from the filesystem as it is when prepared: what leaves
/// `remaining` free, or takes it to `used`. The revert removes that file, while the container runs
/// or through its mount on the host once it stopped.
public struct DiskFillFault: FaultAction {
    public let kind = FaultKind.diskFill
    public let path: String
    public let remaining: Int64?
    public let used: Double?
    public var summary: String { DiskFillParameters(path: path, remaining: remaining, used: used).summary }

    public init(path: String, remaining: Int64? = nil, used: Double? = nil) {
        self.path = path
        self.remaining = remaining
        self.used = used
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let reached: String, space: FilesystemSpace
        do {
            reached = try environment.files.reach(path, mainPID: target.state.pid)
            space = try environment.files.space(of: reached)
        } catch let error as FaultProcessError {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: error.message)
        }
        let bytes = try size(on: space, target: target.name)
        let fileName = ".faultline-fill-" + UUID().uuidString.lowercased().prefix(12)
        let hostDirectory = target.hostPath(of: path)
        let step = FillFileStep(containerID: target.id, directory: path, fileName: fileName, hostFile: hostDirectory.map { $0 + "/" + fileName })
        // The writable layer's mount is an overlay with a device of its own: the fill lands in its upper directory.
        return PreparedFault(revert: .fillFile(step), fills: hostDirectory ?? reached) { [self] environment in
            try fill(fileName, in: reached, measured: bytes, files: environment.files, target: target.name)
        }
    }

    /// Allocates the fill. The filesystem keeps changing under a running service (a database
    /// writing while it fills): when the size measured at the prepare no longer fits, it is
    /// measured again and tried again, a few times.
    func fill(_ fileName: String, in directory: String, measured: Int64, files: any ContainerFileAccess, target: String) throws {
        var bytes = measured
        for attempt in 1...Self.attempts {
            do {
                return try files.fill(directory + "/" + fileName, bytes: bytes)
            } catch is FaultProcessError where attempt < Self.attempts {
                bytes = try size(on: try files.space(of: directory), target: target)
            }
        }
    }

    static let attempts = 4

    /// The fill's size: what leaves `remaining` free, or takes the filesystem to `used`; refused
    /// when the filesystem is already there.
    func size(on space: FilesystemSpace, target: String) throws -> Int64 {
        let bytes: Int64
        if let remaining {
            bytes = space.available - remaining
        } else {
            bytes = Int64(Double(space.total) * (used ?? 1)) - space.used
        }
        guard bytes >= 1 << 20 else {
            throw FaultError.notApplicable(kind: kind, target: target,
                                           reason: "\(path) is already there: \(ByteSize.format(space.available)) free of \(ByteSize.format(space.total))")
        }
        return bytes
    }
}
