import DockerEngine

/// Reads containers: what target resolution and every `prepare` need.
public protocol ContainerInspecting: Sendable {
    func inspectContainer(_ idOrName: String) async throws -> ContainerDetails
    func listContainers(all: Bool, filters: ContainerFilters) async throws -> [ContainerSummary]
}
