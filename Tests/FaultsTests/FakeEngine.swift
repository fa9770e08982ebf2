import DockerEngine
import Foundation
@testable import Faults
import Logging
import Synchronization

/// A small hand-written engine + cgroup fake for fault unit tests: records calls, holds container
/// state, fails or stalls calls on demand, and keeps cgroup files in memory.
final class FakeEngine: ContainerInspecting, ContainerLifecycle, NetworkAttaching, CgroupAccess, Sendable {
    struct State {
        var containers: [String: ContainerDetails] = [:]
        var calls: [String] = []
        var failures: [String: any Error] = [:]
        var delays: [String: Duration] = [:]
        var files: [String: String] = [:]
        var cgroupVersion: CgroupDirectory.Version = .v1
        var beforeCall: [String: @Sendable () -> Void] = [:]
    }

    let state = Mutex(State())

    var calls: [String] { state.withLock { $0.calls } }

    func add(_ details: ContainerDetails) { state.withLock { $0.containers[details.id] = details } }
    func fail(_ call: String, with error: any Error) { state.withLock { $0.failures[call] = error } }
    func delay(_ call: String, by duration: Duration) { state.withLock { $0.delays[call] = duration } }
    func onCall(_ call: String, _ hook: @escaping @Sendable () -> Void) { state.withLock { $0.beforeCall[call] = hook } }
    func setFile(_ path: String, _ value: String) { state.withLock { $0.files[path] = value } }
    func file(_ path: String) -> String? { state.withLock { $0.files[path] } }

    /// The container's network namespace, for the network faults.
    let namespaces = FakeNamespaces()

    var environment: FaultEnvironment {
        FaultEnvironment(containers: self, lifecycle: self, networks: self, cgroups: self, namespaces: namespaces, logger: Logger(label: "fake"))
    }

    private func record(_ call: String, _ id: String) async throws {
        let (failure, delay, hook) = state.withLock { state in
            state.calls.append("\(call) \(id)")
            return (state.failures[call], state.delays[call], state.beforeCall[call])
        }
        hook?()
        if let delay { try? await Task.sleep(for: delay) }
        if let failure { throw failure }
    }

    private func update(_ id: String, running: Bool? = nil, paused: Bool? = nil, startedAt: String? = nil) {
        state.withLock { state in
            guard let old = state.containers[id] else { return }
            state.containers[id] = FakeEngine.details(
                id: id, name: old.name, running: running ?? old.state.running, paused: paused ?? old.state.paused,
                pid: old.state.pid, startedAt: startedAt ?? old.state.startedAt, networks: old.networkSettings.networks ?? [:])
        }
    }

    // MARK: ContainerInspecting
    func inspectContainer(_ idOrName: String) async throws -> ContainerDetails {
        try await record("inspect", idOrName)
        guard let found = state.withLock({ $0.containers[idOrName] }) else { throw FakeEngine.notFound(idOrName) }
        return found
    }

    func listContainers(all: Bool, filters: ContainerFilters) async throws -> [ContainerSummary] {
        try await record("list", "")
        return state.withLock { $0.containers.values.map(FakeEngine.summary) }
    }

    // MARK: ContainerLifecycle
    func startContainer(_ id: String) async throws -> Bool {
        try await record("start", id)
        let wasRunning = state.withLock { $0.containers[id]?.state.running } ?? false
        update(id, running: true, startedAt: "started-\(UUID().uuidString)")
        return !wasRunning
    }

    func stopContainer(_ id: String, timeout: Int?) async throws -> Bool {
        try await record("stop", id)
        update(id, running: false)
        return true
    }

    func restartContainer(_ id: String, timeout: Int?) async throws {
        try await record("restart", id)
        update(id, running: true, startedAt: "restarted-\(UUID().uuidString)")
    }

    func killContainer(_ id: String, signal: String) async throws {
        try await record("kill", id)
        if signal == "SIGKILL" { update(id, running: false) }
    }

    func pauseContainer(_ id: String) async throws {
        try await record("pause", id)
        update(id, paused: true)
    }

    func unpauseContainer(_ id: String) async throws {
        try await record("unpause", id)
        guard state.withLock({ $0.containers[id]?.state.paused }) == true else {
            throw DockerEngineError(kind: .status(409), method: "POST", path: "/containers/\(id)/unpause",
                                    message: "Container \(id) is not paused")
        }
        update(id, paused: false)
    }

    // MARK: NetworkAttaching
    func connectNetwork(_ network: String, container: String, endpoint: EndpointSettings) async throws {
        try await record("connect", "\(network) \(container) aliases=\(endpoint.aliases ?? []) ip=\(endpoint.ipamConfig?.ipv4Address ?? "-")")
        state.withLock { state in
            guard let old = state.containers[container] else { return }
            var networks = old.networkSettings.networks ?? [:]
            var attached = endpoint
            attached.networkID = network
            networks[network] = attached
            state.containers[container] = FakeEngine.details(id: old.id, name: old.name, running: old.state.running,
                                                             paused: old.state.paused, pid: old.state.pid,
                                                             startedAt: old.state.startedAt, networks: networks)
        }
    }

    func disconnectNetwork(_ network: String, container: String, force: Bool) async throws {
        try await record("disconnect", "\(network) \(container)")
        state.withLock { state in
            guard let old = state.containers[container] else { return }
            let networks = (old.networkSettings.networks ?? [:]).filter { $0.value.networkID != network }
            state.containers[container] = FakeEngine.details(id: old.id, name: old.name, running: old.state.running,
                                                             paused: old.state.paused, pid: old.state.pid,
                                                             startedAt: old.state.startedAt, networks: networks)
        }
    }

    // MARK: CgroupAccess
    func directory(controller: CgroupController, pid: Int) throws -> CgroupDirectory {
        CgroupDirectory(path: "/fake/\(controller.rawValue)/\(pid)", version: state.withLock { $0.cgroupVersion })
    }

    func read(_ path: String) throws -> String {
        guard let value = state.withLock({ $0.files[path] }) else { throw CgroupError(message: "no file \(path)") }
        return value
    }

    func write(_ path: String, value: String) throws {
        state.withLock { state in
            state.calls.append("write \(path)=\(value)")
            state.files[path] = value
        }
    }

    func exists(_ path: String) -> Bool { state.withLock { $0.files[path] != nil } }

    // MARK: Fixtures
    static func notFound(_ id: String) -> DockerEngineError {
        DockerEngineError(kind: .status(404), method: "GET", path: "/containers/\(id)/json", message: "No such container: \(id)")
    }

    static func details(id: String, name: String, running: Bool = true, paused: Bool = false, pid: Int = 4242,
                        startedAt: String = "2026-11-22T00:00:00Z", networks: [String: EndpointSettings] = [:],
                        labels: [String: String] = [:], networkMode: String = "default") -> ContainerDetails {
        struct Raw: Encodable {
            let Id: String, Name: String
            let State: [String: AnyEncodable]
            let Config: [String: [String: String]]
            let HostConfig: [String: String]
            let NetworkSettings: [String: [String: EndpointSettings]]
        }
        let raw = Raw(
            Id: id, Name: "/" + name,
            State: ["Status": .string(running ? (paused ? "paused" : "running") : "exited"), "Running": .bool(running),
                    "Paused": .bool(paused), "Restarting": .bool(false), "OOMKilled": .bool(false), "Dead": .bool(false),
                    "Pid": .int(running ? pid : 0), "ExitCode": .int(0), "StartedAt": .string(startedAt),
                    "FinishedAt": .string("")],
            Config: ["Labels": labels], HostConfig: ["NetworkMode": networkMode],
            NetworkSettings: ["Networks": networks])
        return try! JSONDecoder().decode(ContainerDetails.self, from: JSONEncoder().encode(raw))
    }

    static func summary(_ details: ContainerDetails) -> ContainerSummary {
        let json = """
        {"Id":"\(details.id)","Names":["/\(details.name)"],"Image":"x","State":"\(details.state.status)","Status":"",
         "Labels":\(String(decoding: try! JSONEncoder().encode(details.labels), as: UTF8.self))}
        """
        return try! JSONDecoder().decode(ContainerSummary.self, from: Data(json.utf8))
    }
}

/// A JSON scalar for building fixtures.
enum AnyEncodable: Encodable {
    case string(String), bool(Bool), int(Int)
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        }
    }
}

/// A throw-away state directory for one test.
func temporaryStateDirectory() -> String {
    let path = NSTemporaryDirectory() + "faultline-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
