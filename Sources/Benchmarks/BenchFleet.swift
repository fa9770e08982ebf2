import ArgumentParser
import Campaign
import DockerEngine
import FaultlineCLI
import Logging

/// A fleet benchmark's view of the test bed: its description, its agents, and each node's engine
/// straight from here (the witnesses' events, the local way).
struct BenchFleet {
    let description: FleetDescription
    let agents: FleetAgents
    /// Node name → its engine.
    let engines: [String: DockerEngineClient]

    /// Loads `--fleet` (`hint` says how to get one) and connects to every node's engine.
    static func connect(_ option: FleetOption, global: GlobalOptions, logger: Logger, hint: String) async throws -> BenchFleet {
        guard let description = try option.load() else { throw ValidationError("give --fleet FILE (\(hint))") }
        let agents = try FleetAgents(description, engineCallTimeout: try global.engineCallTimeout(), logger: logger)
        var engines: [String: DockerEngineClient] = [:]
        for node in description.nodes {
            engines[node.name] = try await DockerEngineClient.connect(to: node.engine, logger: logger, callTimeout: try global.engineCallTimeout())
        }
        return BenchFleet(description: description, agents: agents, engines: engines)
    }
}
