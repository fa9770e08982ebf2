import DockerEngine
import Foundation
import Faults
import Logging
import Synchronization

/// A small hand-written engine + cgroup fake for fault unit tests: records calls, holds container
/// state, fails or stalls calls on demand, and keeps cgroup files in memory.
public final class FakeEngine: ContainerInspecting, ContainerLifecycle, NetworkAttaching, CgroupAccess, Sendable {
    public struct State {
        public var containers: [String: ContainerDetails] = [:]
        public var calls: [String] = []
        public var failures: [String: any Error] = [:]
        public var delays: [String: Duration] = [:]
        public var files: [String: String] = [:]
        public var cgroupVersion: CgroupDirectory.Version = .v1
        public var beforeCall: [String: @Sendable () -> Void] = [:]
    }

    public let state = Mutex(State())

    public init() {}

    public var calls: [String] { state.withLock { $0.calls } }

    public func add(_ details: ContainerDetails) { state.withLock { $0.containers[details.id] = details } }
    public func fail(_ call: String, with error: any Error) { state.withLock { $0.failures[call] = error } }
    public func delay(_ call: String, by duration: Duration) { state.withLock { $0.delays[call] = duration } }
    public func onCall(_ call: String, _ hook: @escaping @Sendable () -> Void) { state.withLock { $0.beforeCall[call] = hook } }
    public func setFile(_ path: String, _ value: String) { state.withLock { $0.files[path] = value } }
    public func file(_ path: String) -> String? { state.withLock { $0.files[path] } }

    /// The container's network namespace, for the network faults.
    public let namespaces = FakeNamespaces()

    /// The containers' processes, for the process-kill fault.
    public let processes = FakeProcesses()
    /// The containers' filesystems, for the disk-fill fault.
    public let files = FakeFiles()

    public var environment: FaultEnvironment {
        FaultEnvironment(containers: self, lifecycle: self, networks: self, cgroups: self, namespaces: namespaces, processes: processes,
                         files: files, logger: Logger(label: "fake"))
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
    public func inspectContainer(_ idOrName: String) async throws -> ContainerDetails {
        try await record("inspect", idOrName)
        guard let found = state.withLock({ $0.containers[idOrName] }) else { throw FakeEngine.notFound(idOrName) }
        return found
    }

    public func listContainers(all: Bool, filters: ContainerFilters) async throws -> [ContainerSummary] {
        try await record("list", "")
        return state.withLock { $0.containers.values.map(FakeEngine.summary) }
    }

    // MARK: ContainerLifecycle
    public func startContainer(_ id: String) async throws -> Bool {
        try await record("start", id)
        let wasRunning = state.withLock { $0.containers[id]?.state.running } ?? false
        update(id, running: true, startedAt: "started-\(UUID().uuidString)")
        return !wasRunning
    }

    public func stopContainer(_ id: String, timeout: Int?) async throws -> Bool {
        try await record("stop", id)
        update(id, running: false)
        return true
    }

    public func restartContainer(_ id: String, timeout: Int?) async throws {
        try await record("restart", id)
        update(id, running: true, startedAt: "restarted-\(UUID().uuidString)")
    }

    public func killContainer(_ id: String, signal: String) async throws {
        try await record("kill", id)
        if signal == "SIGKILL" { update(id, running: false) }
    }

    public func pauseContainer(_ id: String) async throws {
        try await record("pause", id)
        update(id, paused: true)
    }

    public func unpauseContainer(_ id: String) async throws {
        try await record("unpause", id)
        guard state.withLock({ $0.containers[id]?.state.paused }) == true else {
            throw DockerEngineError(kind: .status(409), method: "POST", path: "/containers/\(id)/unpause",
                                    message: "Container \(id) is not paused")
        }
        update(id, paused: false)
    }

    // MARK: NetworkAttaching
    public func connectNetwork(_ network: String, container: String, endpoint: EndpointSettings) async throws {
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

    public func disconnectNetwork(_ network: String, container: String, force: Bool) async throws {
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
    public func directory(controller: CgroupController, pid: Int) throws -> CgroupDirectory {
        CgroupDirectory(path: "/fake/\(controller.rawValue)/\(pid)", version: state.withLock { $0.cgroupVersion })
    }

    public func read(_ path: String) throws -> String {
        guard let value = state.withLock({ $0.files[path] }) else { throw CgroupError(message: "no file \(path)") }
        return value
    }

    public func write(_ path: String, value: String) throws {
        state.withLock { state in
            state.calls.append("write \(path)=\(value)")
            state.files[path] = value
        }
    }

    public func exists(_ path: String) -> Bool { state.withLock { $0.files[path] != nil } }

    // MARK: Fixtures
    public static func notFound(_ id: String) -> DockerEngineError {
        DockerEngineError(kind: .status(404), method: "GET", path: "/containers/\(id)/json", message: "No such container: \(id)")
    }

    public static func details(id: String, name: String, running: Bool = true, paused: Bool = false, pid: Int = 4242,
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

    public static func summary(_ details: ContainerDetails) -> ContainerSummary {
        let json = """
        {"Id":"\(details.id)","Names":["/\(details.name)"],"Image":"x","State":"\(details.state.status)","Status":"",
         "Labels":\(String(decoding: try! JSONEncoder().encode(details.labels), as: UTF8.self))}
        """
        return try! JSONDecoder().decode(ContainerSummary.self, from: Data(json.utf8))
    }
}

/// A JSON scalar for building fixtures.
public enum AnyEncodable: Encodable {
    case string(String), bool(Bool), int(Int)
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        }
    }
}

