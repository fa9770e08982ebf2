import DockerEngine
import Foundation
import TestSupport
import Testing

/// Every client call against the real engine, on uniquely named, labelled containers.
@Suite(.serialized) struct DockerEngineClientIntegrationTests {
    // The engine answers ping and the negotiated version is the engine's (or ours, if older).
    @Test func pingsAndNegotiates() async throws {
        let engine = try await TestEngine.client()
        #expect(try await engine.ping())
        let version = try await engine.version()
        let expected = [version.apiVersion, DockerEngineClient.newestAPIVersion].min { APIOrder.less($0, $1) }!
        #expect(engine.apiVersion == expected)
    }

    // A missing socket fails with a transport error that says what to do.
    @Test func explainsMissingSocket() async throws {
        let missing = try EngineEndpoint.parse("unix:///tmp/no-such-engine.sock")
        do {
            _ = try await DockerEngineClient.connect(to: missing, logger: TestEngine.logger)
            Issue.record("connect to a missing socket succeeded")
        } catch {
            #expect(error.kind == .transport)
            #expect(error.description.contains("GET /_ping"))
            #expect(error.description.contains("no engine socket at /tmp/no-such-engine.sock"))
        }
    }

    // An unknown container gets a 404 naming the call and the engine's message.
    @Test func namesFailedCalls() async throws {
        let engine = try await TestEngine.client()
        do {
            _ = try await engine.inspectContainer("fl-test-does-not-exist")
            Issue.record("inspect of a missing container succeeded")
        } catch {
            #expect(error.isNotFound)
            #expect(error.description.contains("GET /v\(engine.apiVersion)/containers/fl-test-does-not-exist/json"))
            #expect(error.description.localizedLowercase.contains("no such container"))
        }
    }

    // Name, label and status filters each select only the matching container.
    @Test func listsWithFilters() async throws {
        let engine = try await TestEngine.client()
        let marker = UUID().uuidString.prefix(8).lowercased()
        try await withTestContainer(.init(purpose: "list-a", extraLabels: ["fl.case": "a-\(marker)"]), engine: engine) { a in
            try await withTestContainer(.init(purpose: "list-b", extraLabels: ["fl.case": "b-\(marker)"]), engine: engine) { b in
                let byLabel = try await engine.listContainers(filters: .init(labels: ["fl.case=a-\(marker)"]))
                #expect(byLabel.map(\.id) == [a.id])
                let byName = try await engine.listContainers(filters: .init(names: [b.name]))
                #expect(byName.map(\.id) == [b.id])
                try await engine.stopContainer(b.id, timeout: 0)
                let exited = try await engine.listContainers(filters: .init(labels: ["fl.case"], statuses: ["exited"]))
                #expect(exited.map(\.id).contains(b.id))
                #expect(!exited.map(\.id).contains(a.id))
                let runningOnly = try await engine.listContainers(all: false, filters: .init(labels: ["fl.case"]))
                #expect(runningOnly.map(\.id).contains(a.id) && !runningOnly.map(\.id).contains(b.id))
            }
        }
    }

    // stop/start/restart/kill/pause/unpause each leave the state inspect reports.
    @Test func drivesLifecycle() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "life", stopSignal: "SIGKILL"), engine: engine) { container in
            let id = container.id
            #expect(try await engine.stopContainer(id, timeout: 1))
            #expect(try await engine.inspectContainer(id).state.running == false)
            #expect(try await engine.stopContainer(id, timeout: 1) == false)  // 304: already stopped
            #expect(try await engine.startContainer(id))
            #expect(try await engine.startContainer(id) == false)  // 304: already running
            let before = try await engine.inspectContainer(id).state.startedAt
            try await engine.restartContainer(id, timeout: 1)
            let restarted = try await engine.inspectContainer(id).state
            #expect(restarted.running && restarted.startedAt != before)
            try await engine.pauseContainer(id)
            #expect(try await engine.inspectContainer(id).state.paused)
            try await engine.unpauseContainer(id)
            #expect(try await engine.inspectContainer(id).state.paused == false)
            try await engine.killContainer(id, signal: "SIGKILL")
            let killed = try await engine.inspectContainer(id).state
            #expect(!killed.running && killed.exitCode == 137)
        }
    }

    // update keeps the container's CPU mode and sets memory; the engine reports the new limits.
    @Test func updatesLimits() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "upd-nano", nanoCpus: 500_000_000), engine: engine) { container in
            try await engine.updateContainer(container.id, .cpuLimit(0.25, keepingModeOf: container.hostConfig))
            #expect(try await engine.inspectContainer(container.id).hostConfig.nanoCpus == 250_000_000)
        }
        try await withTestContainer(.init(purpose: "upd-quota"), engine: engine) { container in
            try await engine.updateContainer(container.id, .cpuLimit(0.25, keepingModeOf: container.hostConfig))
            let limited = try await engine.inspectContainer(container.id).hostConfig
            #expect(limited.cpuQuota == 25_000 && limited.cpuPeriod == 100_000 && (limited.nanoCpus ?? 0) == 0)
            try await engine.updateContainer(container.id, ResourceUpdate(cpuQuota: -1))
            #expect(try await engine.inspectContainer(container.id).hostConfig.cpuQuota == -1)
            try await engine.updateContainer(container.id, ResourceUpdate(memory: 64 << 20, memorySwap: 128 << 20))
            let memory = try await engine.inspectContainer(container.id).hostConfig
            #expect(memory.memory == 64 << 20 && memory.memorySwap == 128 << 20)
        }
    }

    // connect with aliases and disconnect are visible in inspect and in the network's member list.
    @Test func connectsNetworks() async throws {
        let engine = try await TestEngine.client()
        try await withTestNetwork(engine: engine) { network in
            try await withTestContainer(.init(purpose: "net"), engine: engine) { container in
                try await engine.connectNetwork(network, container: container.id, endpoint: EndpointSettings(aliases: ["svc-alias"]))
                let attached = try #require(try await engine.inspectContainer(container.id).networkSettings.networks?[network])
                #expect(attached.aliases?.contains("svc-alias") == true)
                let members = try await engine.inspectNetwork(network).containers ?? [:]
                #expect(members.keys.contains(container.id))
                #expect(try await engine.listNetworks().contains { $0.name == network })
                try await engine.disconnectNetwork(network, container: container.id)
                #expect(try await engine.inspectContainer(container.id).networkSettings.networks?[network] == nil)
            }
        }
    }

    // exec returns the exit code and separates stdout from stderr.
    @Test func execsCommands() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "exec"), engine: engine) { container in
            let result = try await engine.exec(container.id, ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(result == ExecResult(exitCode: 3, stdout: "out\n", stderr: "err\n"))
        }
    }

    // Events arrive live, filtered by container, within a second of the call (tolerance: 1 s).
    @Test func streamsEvents() async throws {
        let engine = try await TestEngine.client()
        try await withTestContainer(.init(purpose: "events"), engine: engine) { container in
            let stream = try engine.events(filters: ["container": [container.id], "type": ["container"]])
            let pauser = Task {
                try await Task.sleep(for: .milliseconds(300))  // let the stream subscribe first
                try await engine.pauseContainer(container.id)
                try await engine.unpauseContainer(container.id)
                return Date()
            }
            var actions: [String] = []
            var pauseSeen: Date?
            for try await event in stream {
                #expect(event.actor.id == container.id)
                actions.append(event.action)
                if event.action == "pause" { pauseSeen = Date() }
                if event.action == "unpause" { break }
            }
            let calledDone = try await pauser.value
            #expect(actions == ["pause", "unpause"])
            let seen = try #require(pauseSeen)
            #expect(seen.timeIntervalSince(calledDone) < 1.0)
        }
    }
}

/// Numeric ordering of API versions for the test's expectation.
enum APIOrder {
    static func less(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: ".").map { Int($0) ?? 0 }, right = b.split(separator: ".").map { Int($0) ?? 0 }
        return left.lexicographicallyPrecedes(right)
    }
}
