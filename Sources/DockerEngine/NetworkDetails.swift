/// `GET /networks` and `/networks/{id}`.
public struct NetworkDetails: Codable, Sendable, Equatable {
    public let name: String
    public let id: String
    public let driver: String
    public let scope: String?
    public let `internal`: Bool?
    public let labels: [String: String]?
    public let options: [String: String]?
    public let ipam: IPAM?
    public let containers: [String: NetworkMember]?

    enum CodingKeys: String, CodingKey {
        case name = "Name", id = "Id", driver = "Driver", scope = "Scope", `internal` = "Internal"
        case labels = "Labels", options = "Options", ipam = "IPAM", containers = "Containers"
    }

    /// Address management of a network.
    public struct IPAM: Codable, Sendable, Equatable {
        public let config: [Pool]?
        enum CodingKeys: String, CodingKey { case config = "Config" }

        /// One address pool.
        public struct Pool: Codable, Sendable, Equatable {
            public let subnet: String?
            public let gateway: String?
            enum CodingKeys: String, CodingKey { case subnet = "Subnet", gateway = "Gateway" }
        }
    }

    /// A container attached to the network.
    public struct NetworkMember: Codable, Sendable, Equatable {
        public let name: String?
        public let ipv4Address: String?
        enum CodingKeys: String, CodingKey { case name = "Name", ipv4Address = "IPv4Address" }
    }

    /// The Linux bridge behind a bridge network (`docker0` or `br-<id>`).
    public var bridgeInterface: String? {
        guard driver == "bridge" else { return nil }
        if let name = options?["com.docker.network.bridge.name"], !name.isEmpty { return name }
        return "br-" + id.prefix(12)
    }
}
