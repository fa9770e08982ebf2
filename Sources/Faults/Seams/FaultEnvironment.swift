import DockerEngine
import Logging

/// What faults act through. Each seam is a narrow protocol, so a fault's unit test passes a small
/// hand-written fake while the same code runs against the real engine.
public struct FaultEnvironment: Sendable {
    public let containers: any ContainerInspecting
    public let lifecycle: any ContainerLifecycle
    public let networks: any NetworkAttaching
    public let cgroups: any CgroupAccess
    public let namespaces: any NetworkNamespaceAccess
    /// A container's processes, for the process-kill fault.
    public let processes: any ContainerProcessAccess
    /// A container's filesystems, for the disk-fill fault.
    public let files: any ContainerFileAccess
    /// Container starts, to keep network faults across a restart inside their window (nil: not kept).
    public let starts: (any ContainerStartWatching)?
    /// A Swarm manager's nodes, for the drain fault (nil: no manager to ask).
    public let swarmNodes: (any SwarmNodeAdministering)?
    public let logger: Logger
    /// The engine these seams talk to (`unix:///var/run/docker.sock`), recorded with every fault;
    /// nil for a fake.
    public let engineAddress: String?

    public init(containers: any ContainerInspecting, lifecycle: any ContainerLifecycle,
                networks: any NetworkAttaching, cgroups: any CgroupAccess,
                namespaces: any NetworkNamespaceAccess = HostNetworkNamespaces(), processes: any ContainerProcessAccess = HostProcesses(),
                files: any ContainerFileAccess = HostContainerFiles(),
                starts: (any ContainerStartWatching)? = nil, swarmNodes: (any SwarmNodeAdministering)? = nil, engineAddress: String? = nil,
                logger: Logger) {
        self.processes = processes
        self.files = files
        self.swarmNodes = swarmNodes
        self.engineAddress = engineAddress
        self.containers = containers
        self.lifecycle = lifecycle
        self.networks = networks
        self.cgroups = cgroups
        self.namespaces = namespaces
        self.starts = starts
        self.logger = logger
    }

    /// The real engine, this host's cgroups and network namespaces.
    public static func live(engine: DockerEngineClient, logger: Logger) -> FaultEnvironment {
        FaultEnvironment(containers: engine, lifecycle: engine, networks: engine, cgroups: HostCgroups(),
                         namespaces: HostNetworkNamespaces(), starts: engine, swarmNodes: engine, engineAddress: engine.endpoint.address, logger: logger)
    }
}
