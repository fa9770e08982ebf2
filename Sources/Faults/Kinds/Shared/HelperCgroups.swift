import DockerEngine

/// The cgroups a process a fault starts in a container joins (a resource hog, the dns resolver,
/// the intercept proxy): the container's own, found on this host — or a clear refusal elsewhere.
enum HelperCgroups {
    static func of(_ target: ContainerDetails, pid: Int, for kind: FaultKind, in environment: FaultEnvironment) throws -> [String] {
        do { return try environment.processes.cgroups(ofContainerWithMainProcess: pid) } catch {
            throw FaultError.unsupported(kind: kind, reason: "cannot find the cgroups of \(target.name): \(error); run faultline on the engine's host (or its agent there)")
        }
    }
}
