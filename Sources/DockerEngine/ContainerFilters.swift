/// Filters for `GET /containers/json`, sent as the engine's JSON `filters` parameter.
public struct ContainerFilters: Sendable, Equatable {
    public var names: [String] = []
    /// `key` or `key=value`.
    public var labels: [String] = []
    /// `created`, `restarting`, `running`, `removing`, `paused`, `exited`, `dead`.
    public var statuses: [String] = []
    public var ids: [String] = []

    public init(names: [String] = [], labels: [String] = [], statuses: [String] = [], ids: [String] = []) {
        self.names = names
        self.labels = labels
        self.statuses = statuses
        self.ids = ids
    }

    /// The `filters` query value, or nil when nothing is filtered.
    var queryValue: String? {
        var map: [String: [String]] = [:]
        if !names.isEmpty { map["name"] = names }
        if !labels.isEmpty { map["label"] = labels }
        if !statuses.isEmpty { map["status"] = statuses }
        if !ids.isEmpty { map["id"] = ids }
        guard !map.isEmpty else { return nil }
        return String(decoding: DockerEngineClient.json(map), as: UTF8.self)
    }
}
