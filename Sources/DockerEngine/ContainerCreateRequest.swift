/// The body of `POST /containers/create`: what faultline's tests, demo and benchmarks need.
public struct ContainerCreateRequest: Codable, Sendable {
    public var image: String
    public var cmd: [String]?
    public var env: [String]?
    public var labels: [String: String]?
    public var user: String?
    public var stopSignal: String?
    public var exposedPorts: [String: EmptyObject]?
    public var hostConfig: CreateHostConfig?
    public var networkingConfig: NetworkingConfig?

    public init(image: String, cmd: [String]? = nil, env: [String]? = nil, labels: [String: String]? = nil,
                user: String? = nil, stopSignal: String? = nil, exposedPorts: [String]? = nil,
                hostConfig: CreateHostConfig? = nil, networkingConfig: NetworkingConfig? = nil) {
        self.image = image
        self.cmd = cmd
        self.env = env
        self.labels = labels
        self.user = user
        self.stopSignal = stopSignal
        self.exposedPorts = exposedPorts.map { Dictionary(uniqueKeysWithValues: $0.map { ($0, EmptyObject()) }) }
        self.hostConfig = hostConfig
        self.networkingConfig = networkingConfig
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image", cmd = "Cmd", env = "Env", labels = "Labels", user = "User"
        case stopSignal = "StopSignal", exposedPorts = "ExposedPorts", hostConfig = "HostConfig"
        case networkingConfig = "NetworkingConfig"
    }

    /// `{}` in the engine's JSON.
    public struct EmptyObject: Codable, Sendable {
        public init() {}
    }

    /// Host settings of a new container.
    public struct CreateHostConfig: Codable, Sendable {
        public var binds: [String]?
        public var portBindings: [String: [PortBinding]]?
        public var networkMode: String?
        public var memory: Int64?
        public var nanoCpus: Int64?
        public var cpuQuota: Int64?
        public var cpuPeriod: Int64?
        public var tmpfs: [String: String]?
        public var initProcess: Bool?

        public init(binds: [String]? = nil, portBindings: [String: [PortBinding]]? = nil, networkMode: String? = nil,
                    memory: Int64? = nil, nanoCpus: Int64? = nil, cpuQuota: Int64? = nil, cpuPeriod: Int64? = nil,
                    tmpfs: [String: String]? = nil, initProcess: Bool? = nil) {
            self.binds = binds
            self.portBindings = portBindings
            self.networkMode = networkMode
            self.memory = memory
            self.nanoCpus = nanoCpus
            self.cpuQuota = cpuQuota
            self.cpuPeriod = cpuPeriod
            self.tmpfs = tmpfs
            self.initProcess = initProcess
        }

        enum CodingKeys: String, CodingKey {
            case binds = "Binds", portBindings = "PortBindings", networkMode = "NetworkMode", memory = "Memory"
            case nanoCpus = "NanoCpus", cpuQuota = "CpuQuota", cpuPeriod = "CpuPeriod", tmpfs = "Tmpfs"
            case initProcess = "Init"
        }
    }

    /// A published port: host address and port.
    public struct PortBinding: Codable, Sendable {
        public var hostIP: String
        public var hostPort: String
        public init(hostIP: String = "127.0.0.1", hostPort: String) {
            self.hostIP = hostIP
            self.hostPort = hostPort
        }
        enum CodingKeys: String, CodingKey { case hostIP = "HostIp", hostPort = "HostPort" }
    }

    /// Networks to attach at creation, with aliases.
    public struct NetworkingConfig: Codable, Sendable {
        public var endpointsConfig: [String: EndpointSettings]
        public init(endpointsConfig: [String: EndpointSettings]) { self.endpointsConfig = endpointsConfig }
        enum CodingKeys: String, CodingKey { case endpointsConfig = "EndpointsConfig" }
    }
}

/// The engine's answer to a create call.
public struct CreatedObject: Codable, Sendable {
    public let id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}
