import ArgumentParser
import Campaign
import Foundation

/// `--fleet FILE`, else `$FAULTLINE_FLEET`: the fleet file naming the nodes, for every command
/// that can act across a fleet (`run`, `targets`, `inject --node`, `recover`).
public struct FleetOption: ParsableArguments {
    @Option(name: .long, help: "The fleet file naming the nodes (default: $FAULTLINE_FLEET).") var fleet: String?

    public init() {}

    /// The file given or named by the environment; nil when neither is.
    var file: String? {
        fleet ?? ProcessInfo.processInfo.environment[FleetDescription.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The fleet, read strictly; nil when no file is given.
    public func load() throws -> FleetDescription? {
        try file.map { try FleetDescription.load($0) }
    }
}
