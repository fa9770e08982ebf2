import ArgumentParser
import Campaign
import DockerEngine
import Faults
import Fleet
import Foundation

/// `faultline targets`: the containers faultline could target.
struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List containers: name, id, state, compose project/service, networks, labels; with a fleet, every node's.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "One JSON array of containers.") var json = false
    @Flag(name: .long, help: "Only running containers.") var running = false
    @OptionGroup var fleet: FleetOption

    func run() async throws {
        if let description = try fleet.load() { return try await listFleet(description) }
        let context = try await CommandContext.make(global)
        let containers = try await context.engine.listContainers(all: !running).sorted { $0.name < $1.name }
        print(containers.map { (node: nil, container: $0) })
    }

    /// Every node's containers, asked at once; a node that does not answer fails the command naming it.
    func listFleet(_ description: FleetDescription) async throws {
        let logger = try global.makeLogger()
        let inventory = try await FleetInventory.list(description, all: !running, callTimeout: try global.engineCallTimeout(), logger: logger)
        print(inventory.flatMap { node in node.containers.sorted { $0.name < $1.name }.map { (node: Optional(node.node.name), container: $0) } })
    }

    func print(_ listed: [(node: String?, container: ContainerSummary)]) {
        let output = Output(json: json)
        if json {
            output.line(JSONValue.array(listed.map { node, container in
                guard let node, case .object(var fields) = Self.jsonValue(container) else { return Self.jsonValue(container) }
                fields["node"] = .string(node)
                return .object(fields)
            }).encoded())
            return
        }
        guard !listed.isEmpty else {
            output.line("no containers")
            return
        }
        let withNodes = listed.contains { $0.node != nil }
        var rows = [(withNodes ? ["NODE"] : []) + ["NAME", "ID", "STATE", "COMPOSE", "NETWORKS", "NOTE"]]
        for (node, container) in listed {
            let labels = container.labels ?? [:]
            let compose = [labels[TargetResolver.composeProjectLabel], labels[TargetResolver.composeServiceLabel]]
                .compactMap { $0 }.joined(separator: "/")
            let networks = (container.networkSettings?.networks ?? [:]).keys.sorted().joined(separator: ",")
            let note = TargetProtection.isProtected(labels) ? "protected" : ""
            rows.append((withNodes ? [node ?? "-"] : []) + [container.name, container.shortID, container.state, compose.isEmpty ? "-" : compose,
                                                            networks.isEmpty ? "-" : networks, note])
        }
        TextTable.print(rows, to: output)
    }

    static func jsonValue(_ container: ContainerSummary) -> JSONValue {
        let labels = container.labels ?? [:]
        return .object([
            "name": .string(container.name),
            "id": .string(container.id),
            "state": .string(container.state),
            "status": .string(container.status),
            "image": .string(container.image),
            "compose_project": labels[TargetResolver.composeProjectLabel].map(JSONValue.string) ?? .null,
            "compose_service": labels[TargetResolver.composeServiceLabel].map(JSONValue.string) ?? .null,
            "networks": .array((container.networkSettings?.networks ?? [:]).keys.sorted().map(JSONValue.string)),
            "labels": .object(labels.mapValues(JSONValue.string)),
            "protected": .bool(TargetProtection.isProtected(labels)),
        ])
    }
}

/// Prints rows as aligned columns.
enum TextTable {
    static func print(_ rows: [[String]], to output: Output) {
        guard let first = rows.first else { return }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        for row in rows {
            let cells = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            output.line(cells.joined(separator: "  ").trimmingTrailingSpaces())
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
