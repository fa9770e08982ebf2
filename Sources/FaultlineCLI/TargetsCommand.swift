import ArgumentParser
import DockerEngine
import Faults

/// `faultline targets`: the containers faultline could target.
struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List containers: name, id, state, compose project/service, networks, labels.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "One JSON array of containers.") var json = false
    @Flag(name: .long, help: "Only running containers.") var running = false

    func run() async throws {
        let context = try await CommandContext.make(global)
        let containers = try await context.engine.listContainers(all: !running).sorted { $0.name < $1.name }
        let output = Output(json: json)
        if json {
            output.line(JSONValue.array(containers.map(Self.jsonValue)).encoded())
            return
        }
        guard !containers.isEmpty else {
            output.line("no containers")
            return
        }
        var rows = [["NAME", "ID", "STATE", "COMPOSE", "NETWORKS", "NOTE"]]
        for container in containers {
            let labels = container.labels ?? [:]
            let compose = [labels[TargetResolver.composeProjectLabel], labels[TargetResolver.composeServiceLabel]]
                .compactMap { $0 }.joined(separator: "/")
            let networks = (container.networkSettings?.networks ?? [:]).keys.sorted().joined(separator: ",")
            let note = TargetProtection.isProtected(labels) ? "protected" : ""
            rows.append([container.name, container.shortID, container.state, compose.isEmpty ? "-" : compose,
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
