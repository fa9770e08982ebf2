import DockerEngine

/// Removes the one file a disk fill made (or the one scratch directory an io-hog wrote under):
/// through the container's root while it runs (also after a restart), else through its mount on
/// the engine's host, so a fill never outlives its fault because the container stopped. Nothing
/// but that exact name is ever removed.
public struct FillFileStep: Sendable, Equatable, Codable {
    public let containerID: String
    /// The directory inside the container and the file's name in it.
    public let directory: String
    public let fileName: String
    /// The same file through its mount on the engine's host (a volume's or bind mount's source, or
    /// the writable layer's upper directory); nil when only the container reaches it (a tmpfs).
    public let hostFile: String?

    public init(containerID: String, directory: String, fileName: String, hostFile: String?) {
        self.containerID = containerID
        self.directory = directory
        self.fileName = fileName
        self.hostFile = hostFile
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        let state: ContainerState?
        do {
            state = try await environment.containers.inspectContainer(containerID).state
        } catch where EngineErrorMatching.isGone(error) {
            state = nil
        }
        if let state, state.running {
            let reached = try environment.files.reach(directory, mainPID: state.pid)
            return try environment.files.remove(reached + "/" + fileName) ? .restored : .alreadyClear("the fill file was already gone")
        }
        if let hostFile {
            if try environment.files.remove(hostFile) { return .restored }
            return state == nil ? .targetGone : .alreadyClear("the fill file was already gone")
        }
        return state == nil ? .targetGone : .alreadyClear("the container stopped; its fill lived where only it reaches (a tmpfs)")
    }
}
