import Campaign
import DockerEngine
import Fleet
import Logging
import TestSupport
import Testing

/// The inventory is whole or an error: a node that does not answer is named with its engine and
/// the call, even when the others answered.
@Suite struct FleetInventoryTests {
    let logger = Logger(label: "fleet-test")

    @Test func namesTheNodeThatDoesNotAnswer() async throws {
        let fleet = try FleetDescription.parse("""
            nodes:
              here: { engine: unix:///var/run/docker.sock }
              gone: { engine: unix:///nonexistent/faultline-test/docker.sock }
            """, file: "fleet.yaml")
        await #expect { _ = try await FleetInventory.list(fleet, callTimeout: .seconds(5), logger: logger) } throws: { error in
            let text = "\(error)"
            return text.contains("node 'gone' (unix:///nonexistent/faultline-test/docker.sock)") && text.contains("/_ping") && !text.contains("'here'")
        }
    }

    @Test func listsEachNodesContainers() async throws {
        let fleet = try FleetDescription.parse("nodes:\n  here: { engine: unix:///var/run/docker.sock }", file: "fleet.yaml")
        let engine = try await TestEngine.client()
        try await withTestContainer(TestContainerSpec(purpose: "fleet-inventory"), engine: engine) { container in
            let inventory = try await FleetInventory.list(fleet, callTimeout: .seconds(10), logger: logger)
            #expect(inventory.count == 1 && inventory[0].node.name == "here")
            #expect(inventory[0].containers.contains { $0.id == container.id })
        }
    }
}
