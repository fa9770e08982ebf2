extension DockerEngineClient {
    /// `GET /services?status=true` on a Swarm manager. An engine that is not a manager answers
    /// 503 (`DockerEngineError.isNotSwarmManager`).
    public func swarmServices() async throws(DockerEngineError) -> [SwarmService] {
        try await decode(.get, "/services", query: [("status", "true")])
    }

    /// `GET /tasks` on a Swarm manager: every task it keeps (running and recent history), or
    /// those of one service (by id).
    public func swarmTasks(service: String? = nil) async throws(DockerEngineError) -> [SwarmTask] {
        let filters = service.map { #"{"service":[""# + $0 + #""]}"# }
        return try await decode(.get, "/tasks", query: filters.map { [("filters", $0)] } ?? [])
    }

    /// `GET /nodes` on a Swarm manager.
    public func swarmNodes() async throws(DockerEngineError) -> [SwarmNode] {
        try await decode(.get, "/nodes")
    }
}

extension DockerEngineClient {
    /// `GET /info`: the id of the Swarm node this engine is (a manager or a worker), or nil when
    /// it is in no Swarm. What ties a fleet node to the Swarm node it runs.
    public func swarmNodeID() async throws(DockerEngineError) -> String? {
        let info: EngineSwarmInfo = try await decode(.get, "/info")
        guard let swarm = info.swarm, swarm.localNodeState == "active", let id = swarm.nodeID, !id.isEmpty else { return nil }
        return id
    }
}

/// The part of `GET /info` that says which Swarm node the engine is.
struct EngineSwarmInfo: Decodable {
    struct Swarm: Decodable {
        let nodeID: String?
        let localNodeState: String?
        enum CodingKeys: String, CodingKey { case nodeID = "NodeID", localNodeState = "LocalNodeState" }
    }
    let swarm: Swarm?
    enum CodingKeys: String, CodingKey { case swarm = "Swarm" }
}

extension DockerEngineError {
    /// The engine is no Swarm manager (a worker, or not in a swarm): it cannot list services.
    public var isNotSwarmManager: Bool { status == 503 }
}

extension DockerEngineClient {
    /// `GET /nodes/{id}` (an id or a host name) on a Swarm manager: the node with its spec whole.
    public func swarmNode(_ idOrName: String) async throws(DockerEngineError) -> SwarmNodeSpec {
        let path = "/nodes/\(try Self.segment(idOrName))"
        let response = try await send(.get, path)
        do {
            return try SwarmNodeSpec(json: response.body)
        } catch {
            throw DockerEngineError(kind: .decoding, method: "GET", path: path, message: "SwarmNodeSpec: \(error)")
        }
    }

    /// `POST /nodes/{id}/update?version=V`: the node's spec with its availability set. The
    /// manager refuses it (`out of sequence`) if the spec changed since `node` was read.
    public func setSwarmNodeAvailability(_ node: SwarmNodeSpec, to availability: String) async throws(DockerEngineError) {
        let path = "/nodes/\(try Self.segment(node.id))/update"
        let body: [UInt8]
        do { body = try node.spec(withAvailability: availability) } catch {
            throw DockerEngineError(kind: .decoding, method: "POST", path: path, message: "\(error)")
        }
        _ = try await send(.post, path, query: [("version", String(node.version))], body: body)
    }
}
