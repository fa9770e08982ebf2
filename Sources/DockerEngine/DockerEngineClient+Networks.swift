extension DockerEngineClient {
    /// `GET /networks`.
    public func listNetworks() async throws(DockerEngineError) -> [NetworkDetails] {
        try await decode(.get, "/networks")
    }

    /// `GET /networks/{id}`.
    public func inspectNetwork(_ idOrName: String) async throws(DockerEngineError) -> NetworkDetails {
        try await decode(.get, "/networks/\(Self.segment(idOrName))")
    }

    /// `POST /networks/{id}/connect` with the endpoint's aliases and static addresses.
    public func connectNetwork(_ network: String, container: String, endpoint: EndpointSettings = EndpointSettings())
        async throws(DockerEngineError)
    {
        struct Body: Encodable {
            let container: String
            let endpointConfig: EndpointSettings
            enum CodingKeys: String, CodingKey { case container = "Container", endpointConfig = "EndpointConfig" }
        }
        _ = try await send(.post, "/networks/\(Self.segment(network))/connect",
                           body: Self.json(Body(container: container, endpointConfig: endpoint)))
    }

    /// `POST /networks/{id}/disconnect`.
    public func disconnectNetwork(_ network: String, container: String, force: Bool = false)
        async throws(DockerEngineError)
    {
        struct Body: Encodable {
            let container: String
            let force: Bool
            enum CodingKeys: String, CodingKey { case container = "Container", force = "Force" }
        }
        _ = try await send(.post, "/networks/\(Self.segment(network))/disconnect", body: Self.json(Body(container: container, force: force)))
    }

    /// `POST /networks/create` (a bridge network); returns the id.
    public func createNetwork(name: String, labels: [String: String] = [:], isInternal: Bool = false)
        async throws(DockerEngineError) -> String
    {
        struct Body: Encodable {
            let name: String
            let labels: [String: String]
            let isInternal: Bool
            let checkDuplicate = true
            enum CodingKeys: String, CodingKey {
                case name = "Name", labels = "Labels", isInternal = "Internal", checkDuplicate = "CheckDuplicate"
            }
        }
        let created: CreatedObject = try await decode(
            .post, "/networks/create", body: Self.json(Body(name: name, labels: labels, isInternal: isInternal)))
        return created.id
    }

    /// `DELETE /networks/{id}`. Succeeds when the network is already gone.
    public func removeNetwork(_ id: String) async throws(DockerEngineError) {
        do {
            _ = try await send(.delete, "/networks/\(Self.segment(id))")
        } catch where error.isNotFound {
            return
        }
    }
}
