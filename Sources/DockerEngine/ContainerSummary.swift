/// One row of `GET /containers/json`.
public struct ContainerSummary: Codable, Sendable, Equatable {
    public let id: String
    public let names: [String]
    public let image: String
    public let state: String
    public let status: String
    public let labels: [String: String]?
    public let created: Int64?
    public let networkSettings: SummaryNetworks?

    /// The networks a listed container is attached to.
    public struct SummaryNetworks: Codable, Sendable, Equatable {
        public let networks: [String: EndpointSettings]?
        enum CodingKeys: String, CodingKey { case networks = "Networks" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", state = "State", status = "Status"
        case labels = "Labels", created = "Created", networkSettings = "NetworkSettings"
    }

    /// The container's name without the engine's leading slash.
    public var name: String { (names.first ?? id).trimmingLeadingSlash() }
    /// The first twelve characters of the id, as the docker CLI shows it.
    public var shortID: String { String(id.prefix(12)) }
}

extension String {
    /// The engine prefixes container names with `/`.
    func trimmingLeadingSlash() -> String { hasPrefix("/") ? String(dropFirst()) : self }
}
