/// `GET /containers/{id}/json`: the parts faultline reads and restores.
public struct ContainerDetails: Codable, Sendable, Equatable {
    public let id: String
    public let rawName: String
    public let state: ContainerState
    public let config: ContainerConfig
    public let hostConfig: HostConfig
    public let networkSettings: NetworkSettings
    public let restartCount: Int?
    /// Its volumes, bind mounts and tmpfs mounts.
    public let mounts: [MountPoint]?
    /// Where its writable layer lives (`Data.UpperDir` for overlay2).
    public let graphDriver: GraphDriver?

    enum CodingKeys: String, CodingKey {
        case id = "Id", rawName = "Name", state = "State", config = "Config", hostConfig = "HostConfig"
        case networkSettings = "NetworkSettings", restartCount = "RestartCount", mounts = "Mounts", graphDriver = "GraphDriver"
    }

    /// The container's name without the engine's leading slash.
    public var name: String { rawName.trimmingLeadingSlash() }
    public var shortID: String { String(id.prefix(12)) }
    public var labels: [String: String] { config.labels ?? [:] }
}

/// One of a container's mounts.
public struct MountPoint: Codable, Sendable, Equatable {
    /// `volume`, `bind`, `tmpfs`.
    public let type: String
    public let name: String?
    /// Its path on the engine's host (empty for tmpfs).
    public let source: String?
    /// Its path inside the container.
    public let destination: String
    enum CodingKeys: String, CodingKey { case type = "Type", name = "Name", source = "Source", destination = "Destination" }
}

/// The storage driver of a container's writable layer.
public struct GraphDriver: Codable, Sendable, Equatable {
    public let name: String
    public let data: [String: String]?
    enum CodingKeys: String, CodingKey { case name = "Name", data = "Data" }
}

/// `State` of an inspected container.
public struct ContainerState: Codable, Sendable, Equatable {
    public let status: String
    public let running: Bool
    public let paused: Bool
    public let restarting: Bool
    public let oomKilled: Bool
    public let dead: Bool
    public let pid: Int
    public let exitCode: Int
    public let startedAt: String
    public let finishedAt: String
    public let error: String?

    enum CodingKeys: String, CodingKey {
        case status = "Status", running = "Running", paused = "Paused", restarting = "Restarting"
        case oomKilled = "OOMKilled", dead = "Dead", pid = "Pid", exitCode = "ExitCode"
        case startedAt = "StartedAt", finishedAt = "FinishedAt", error = "Error"
    }
}

/// `Config` of an inspected container.
public struct ContainerConfig: Codable, Sendable, Equatable {
    public let hostname: String?
    public let image: String?
    public let labels: [String: String]?
    public let stopSignal: String?

    enum CodingKeys: String, CodingKey {
        case hostname = "Hostname", image = "Image", labels = "Labels", stopSignal = "StopSignal"
    }
}

/// `HostConfig` of an inspected container: the limits a fault may touch.
public struct HostConfig: Codable, Sendable, Equatable {
    public let nanoCpus: Int64?
    public let cpuQuota: Int64?
    public let cpuPeriod: Int64?
    public let memory: Int64?
    public let memorySwap: Int64?
    public let networkMode: String?
    public let restartPolicy: RestartPolicy?

    enum CodingKeys: String, CodingKey {
        case nanoCpus = "NanoCpus", cpuQuota = "CpuQuota", cpuPeriod = "CpuPeriod", memory = "Memory"
        case memorySwap = "MemorySwap", networkMode = "NetworkMode", restartPolicy = "RestartPolicy"
    }

    /// Whether the container's own CPU limit (if any) is expressed as `NanoCpus` (docker run --cpus).
    public var usesNanoCpus: Bool { (nanoCpus ?? 0) > 0 }
}

/// The engine's restart policy for a container.
public struct RestartPolicy: Codable, Sendable, Equatable {
    public let name: String
    public let maximumRetryCount: Int?
    enum CodingKeys: String, CodingKey { case name = "Name", maximumRetryCount = "MaximumRetryCount" }
}

/// `NetworkSettings` of an inspected container.
public struct NetworkSettings: Codable, Sendable, Equatable {
    public let networks: [String: EndpointSettings]?
    /// `6379/tcp` → where it is published on the host (nil when not published).
    public let ports: [String: [PublishedPort]?]?
    enum CodingKeys: String, CodingKey { case networks = "Networks", ports = "Ports" }

    /// The host port `containerPort` (e.g. `6379/tcp`) is published on, if any.
    public func hostPort(for containerPort: String) -> Int? {
        (ports?[containerPort] ?? nil)?.compactMap { Int($0.hostPort) }.first
    }
}

/// A container port published on the host.
public struct PublishedPort: Codable, Sendable, Equatable {
    public let hostIP: String
    public let hostPort: String
    enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
}

/// How a container is attached to one network: what a reconnect must restore.
public struct EndpointSettings: Codable, Sendable, Equatable {
    public var ipamConfig: EndpointIPAMConfig?
    public var links: [String]?
    public var aliases: [String]?
    public var networkID: String?
    public var endpointID: String?
    public var gateway: String?
    public var ipAddress: String?
    public var macAddress: String?
    public var driverOpts: [String: String]?

    public init(ipamConfig: EndpointIPAMConfig? = nil, links: [String]? = nil, aliases: [String]? = nil,
                networkID: String? = nil, driverOpts: [String: String]? = nil) {
        self.ipamConfig = ipamConfig
        self.links = links
        self.aliases = aliases
        self.networkID = networkID
        self.driverOpts = driverOpts
    }

    enum CodingKeys: String, CodingKey {
        case ipamConfig = "IPAMConfig", links = "Links", aliases = "Aliases", networkID = "NetworkID"
        case endpointID = "EndpointID", gateway = "Gateway", ipAddress = "IPAddress"
        case macAddress = "MacAddress", driverOpts = "DriverOpts"
    }
}

/// Addresses requested for an endpoint (static IPs).
public struct EndpointIPAMConfig: Codable, Sendable, Equatable {
    public var ipv4Address: String?
    public var ipv6Address: String?
    public var linkLocalIPs: [String]?

    public init(ipv4Address: String? = nil, ipv6Address: String? = nil, linkLocalIPs: [String]? = nil) {
        self.ipv4Address = ipv4Address
        self.ipv6Address = ipv6Address
        self.linkLocalIPs = linkLocalIPs
    }

    enum CodingKeys: String, CodingKey {
        case ipv4Address = "IPv4Address", ipv6Address = "IPv6Address", linkLocalIPs = "LinkLocalIPs"
    }

    /// True when nothing was requested (the engine reports `{}` or empty strings then).
    public var isEmpty: Bool {
        (ipv4Address ?? "").isEmpty && (ipv6Address ?? "").isEmpty && (linkLocalIPs ?? []).isEmpty
    }
}
