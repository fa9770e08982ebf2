extension DockerEngineClient {
    /// `GET /services?status=true` on a Swarm manager. An engine that is not a manager answers
    /// 503 (`DockerEngineError.isNotSwarmManager`).
    public func swarmServices() async throws(DockerEngineError) -> [SwarmService] {
        try await decode(.get, "/services", query: [("status", "true")])
    }

    /// `GET /nodes` on a Swarm manager.
    public func swarmNodes() async throws(DockerEngineError) -> [SwarmNode] {
        try await decode(.get, "/nodes")
    }
}

extension DockerEngineError {
    /// The engine is no Swarm manager (a worker, or not in a swarm): it cannot list services.
    public var isNotSwarmManager: Bool { status == 503 }
}
