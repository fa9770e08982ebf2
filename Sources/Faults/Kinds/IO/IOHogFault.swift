import DockerEngine
import FaultlineSupport
import Foundation

/// Starts stress-ng's hdd stressor inside a running container's cgroups (see `ResourceHogFault`),
/// writing under a marked scratch directory (`.faultline-io-TOKEN`) of a directory of the
/// container, reached from the engine's host through `/proc/PID/root`. The revert kills the hog and
/// removes the scratch directory, also once the container stopped (through its mount on the host).
public struct IOHogFault: FaultAction {
    public let kind = FaultKind.ioHog
    public let path: String
    public let workers: Int
    public let size: Int64
    public let buffered: Bool
    public var summary: String { IOHogParameters(path: path, workers: workers, size: size, buffered: buffered).summary }
    /// The share of the filesystem the hog's files must leave free.
    static let spareShare = 0.05

    public init(path: String = "/", workers: Int = 1, size: Int64 = 64 << 20, buffered: Bool = false) {
        self.path = path
        self.workers = workers
        self.size = size
        self.buffered = buffered
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment) async throws -> PreparedFault {
        try await prepare(target, in: environment, window: nil)
    }

    public func prepare(_ target: ContainerDetails, in environment: FaultEnvironment, window: Duration?) async throws -> PreparedFault {
        try TargetState.requireRunning(target, for: kind)
        let reached: String
        do {
            reached = try environment.files.reach(path, mainPID: target.state.pid)
            let space = try environment.files.space(of: reached), needed = Int64(workers) * size
            let spare = Int64(Double(space.total) * Self.spareShare)
            guard needed + spare <= space.available else {
                throw FaultError.notApplicable(kind: kind, target: target.name,
                                               reason: "\(workers) × \(ByteSize.format(size)) does not fit under \(path) with 5% of the filesystem to spare (\(ByteSize.format(space.available)) free of \(ByteSize.format(space.total))); a full disk is disk-fill's fault")
            }
            if !buffered, try environment.files.blockDevice(of: target.hostPath(of: path) ?? reached) == nil {
                throw FaultError.notApplicable(kind: kind, target: target.name,
                                               reason: "\(path) is on a filesystem without a disk (a tmpfs or the like), which takes no direct IO; give buffered: true")
            }
        } catch let error as FaultProcessError {
            throw FaultError.notApplicable(kind: kind, target: target.name, reason: error.message)
        }
        let name = ".faultline-io-" + UUID().uuidString.lowercased().prefix(12)
        let scratch = reached + "/" + name
        let hog = ResourceHogFault(kind: kind, summary: summary,
                                   stressArguments: ["--hdd", String(workers), "--hdd-bytes", String(size), "--temp-path", scratch] + (buffered ? [] : ["--hdd-opts", "direct"]))
        let started = try await hog.prepare(target, in: environment, window: window)
        let files = FillFileStep(containerID: target.id, directory: path, fileName: name, hostFile: target.hostPath(of: path).map { $0 + "/" + name })
        // The hog first (it writes there), then its scratch directory.
        return PreparedFault(revert: .steps([started.revert, .fillFile(files)])) { environment in
            try environment.files.makeDirectory(scratch)
            try await started.inject(environment)
        }
    }
}
