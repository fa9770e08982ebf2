/// A Swarm service as a manager lists it (`GET /services?status=true`): its name, its labels
/// (where `faultline.protect` may sit) and how many of its tasks run against how many it wants.
public struct SwarmService: Sendable, Equatable, Decodable {
    public let id: String
    public let name: String
    public let labels: [String: String]
    /// Tasks in the running state (nil: the engine is older than API 1.41 and does not say).
    public let runningTasks: Int?
    /// Tasks the service wants running: its replicas, or one per eligible node for a global one.
    public let desiredTasks: Int?

    public init(id: String, name: String, labels: [String: String] = [:], runningTasks: Int?, desiredTasks: Int?) {
        self.id = id
        self.name = name
        self.labels = labels
        self.runningTasks = runningTasks
        self.desiredTasks = desiredTasks
    }

    enum CodingKeys: String, CodingKey { case id = "ID", spec = "Spec", status = "ServiceStatus" }
    struct Spec: Decodable {
        let name: String
        let labels: [String: String]?
        enum CodingKeys: String, CodingKey { case name = "Name", labels = "Labels" }
    }
    struct Status: Decodable {
        let runningTasks: Int?
        let desiredTasks: Int?
        enum CodingKeys: String, CodingKey { case runningTasks = "RunningTasks", desiredTasks = "DesiredTasks" }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        let spec = try container.decode(Spec.self, forKey: .spec)
        name = spec.name
        labels = spec.labels ?? [:]
        let status = try container.decodeIfPresent(Status.self, forKey: .status)
        runningTasks = status?.runningTasks
        desiredTasks = status?.desiredTasks
    }
}

/// A Swarm node as a manager lists it (`GET /nodes`): its labels (where `faultline.protect` may
/// sit) and its host name. A task's container names its node by `com.docker.swarm.node.id`.
public struct SwarmNode: Sendable, Equatable, Decodable {
    public let id: String
    public let hostname: String
    public let labels: [String: String]
    /// `active`, `pause` or `drain`.
    public let availability: String
    /// `ready`, `down`, `disconnected` or `unknown`.
    public let state: String
    /// The address the node talks to the others from (`Status.Addr`), or "" when the manager gives none.
    public let address: String

    public init(id: String, hostname: String, labels: [String: String] = [:], availability: String = "active", state: String = "ready",
                address: String = "") {
        self.id = id
        self.hostname = hostname
        self.labels = labels
        self.availability = availability
        self.state = state
        self.address = address
    }

    /// Its host name, or its id when the manager gives none.
    public var name: String { hostname.isEmpty ? id : hostname }

    enum CodingKeys: String, CodingKey { case id = "ID", spec = "Spec", description = "Description", status = "Status", managerStatus = "ManagerStatus" }
    struct ManagerStatus: Decodable {
        /// `host:port` of the manager's Raft listener.
        let address: String?
        enum CodingKeys: String, CodingKey { case address = "Addr" }
    }
    struct Spec: Decodable {
        let labels: [String: String]?
        let availability: String?
        enum CodingKeys: String, CodingKey { case labels = "Labels", availability = "Availability" }
    }
    struct Status: Decodable {
        let state: String?
        let address: String?
        enum CodingKeys: String, CodingKey { case state = "State", address = "Addr" }
    }
    struct Details: Decodable {
        let hostname: String?
        enum CodingKeys: String, CodingKey { case hostname = "Hostname" }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        let spec = try container.decodeIfPresent(Spec.self, forKey: .spec)
        labels = spec?.labels ?? [:]
        availability = spec?.availability ?? "active"
        let status = try container.decodeIfPresent(Status.self, forKey: .status)
        state = status?.state ?? "unknown"
        // Some engines give a manager's Status.Addr as 0.0.0.0: its Raft address names the host then.
        let raft = try container.decodeIfPresent(ManagerStatus.self, forKey: .managerStatus)?.address
        let raftHost = raft.flatMap { text in text.lastIndex(of: ":").map { String(text[..<$0]) } } ?? ""
        let given = status?.address ?? ""
        address = given.isEmpty || given == "0.0.0.0" ? raftHost : given
        hostname = try container.decodeIfPresent(Details.self, forKey: .description)?.hostname ?? ""
    }
}

/// A Swarm task as a manager lists it (`GET /tasks`): which service and slot it serves, on which
/// node, in which state since when, and the container that runs it.
public struct SwarmTask: Sendable, Equatable, Decodable {
    public let id: String
    public let serviceID: String
    /// The replica's slot (nil for a global service's task, which is tied to its node).
    public let slot: Int?
    public let nodeID: String?
    /// `new`, `pending`, `assigned`, … `running`, `complete`, `failed`, `shutdown`, `rejected`.
    public let state: String
    /// When the task reached `state`, as the manager wrote it.
    public let stateSince: String?
    public let containerID: String?

    public init(id: String, serviceID: String, slot: Int?, nodeID: String?, state: String, stateSince: String?, containerID: String?) {
        self.id = id
        self.serviceID = serviceID
        self.slot = slot
        self.nodeID = nodeID
        self.state = state
        self.stateSince = stateSince
        self.containerID = containerID
    }

    enum CodingKeys: String, CodingKey { case id = "ID", serviceID = "ServiceID", slot = "Slot", nodeID = "NodeID", status = "Status" }
    struct Status: Decodable {
        let state: String?
        let timestamp: String?
        let containerStatus: ContainerStatus?
        enum CodingKeys: String, CodingKey { case state = "State", timestamp = "Timestamp", containerStatus = "ContainerStatus" }
    }
    struct ContainerStatus: Decodable {
        let containerID: String?
        enum CodingKeys: String, CodingKey { case containerID = "ContainerID" }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        serviceID = try container.decodeIfPresent(String.self, forKey: .serviceID) ?? ""
        slot = try container.decodeIfPresent(Int.self, forKey: .slot).flatMap { $0 > 0 ? $0 : nil }
        nodeID = try container.decodeIfPresent(String.self, forKey: .nodeID).flatMap { $0.isEmpty ? nil : $0 }
        let status = try container.decodeIfPresent(Status.self, forKey: .status)
        state = status?.state ?? "unknown"
        stateSince = status?.timestamp
        containerID = status?.containerStatus?.containerID.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether the task has ended (it will not run again).
    public var hasEnded: Bool { ["complete", "failed", "shutdown", "rejected", "orphaned", "remove"].contains(state) }
}
