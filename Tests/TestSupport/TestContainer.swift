import DockerEngine
import Foundation

/// What a throw-away test container runs and how it is attached.
public struct TestContainerSpec: Sendable {
    public var purpose: String
    public var command: [String]
    /// Network name → aliases (empty: the engine's default bridge).
    public var networks: [String: [String]]
    public var staticIPv4: [String: String]
    public var nanoCpus: Int64?
    public var memory: Int64?
    public var publish: [String: String]
    public var user: String?
    public var stopSignal: String?
    public var extraLabels: [String: String]
    public var tmpfs: [String: String]
    /// `host:container[:ro]` beyond the host binaries.
    public var extraBinds: [String]

    public init(purpose: String, command: [String] = ["/bin/sleep", "infinity"], networks: [String: [String]] = [:],
                staticIPv4: [String: String] = [:], nanoCpus: Int64? = nil, memory: Int64? = nil,
                publish: [String: String] = [:], user: String? = nil, stopSignal: String? = nil,
                extraLabels: [String: String] = [:], tmpfs: [String: String] = [:], extraBinds: [String] = []) {
        self.purpose = purpose
        self.command = command
        self.networks = networks
        self.staticIPv4 = staticIPv4
        self.nanoCpus = nanoCpus
        self.memory = memory
        self.publish = publish
        self.user = user
        self.stopSignal = stopSignal
        self.extraLabels = extraLabels
        self.tmpfs = tmpfs
        self.extraBinds = extraBinds
    }
}

/// Creates and starts a uniquely named, labelled container, runs `body` with its details, and
/// removes the container afterwards, also when `body` throws.
public func withTestContainer<T: Sendable>(
    _ spec: TestContainerSpec, engine: DockerEngineClient,
    _ body: (ContainerDetails) async throws -> T
) async throws -> T {
    let name = TestEngine.uniqueName(spec.purpose)
    var endpoints: [String: EndpointSettings] = [:]
    for (network, aliases) in spec.networks {
        let ipam = spec.staticIPv4[network].map { EndpointIPAMConfig(ipv4Address: $0) }
        endpoints[network] = EndpointSettings(ipamConfig: ipam, aliases: aliases.isEmpty ? nil : aliases)
    }
    let firstNetwork = spec.networks.keys.sorted().first
    var portBindings: [String: [ContainerCreateRequest.PortBinding]] = [:]
    for (containerPort, hostPort) in spec.publish {
        portBindings[containerPort] = [.init(hostIP: "127.0.0.1", hostPort: hostPort)]
    }
    let request = ContainerCreateRequest(
        image: TestEngine.image, cmd: spec.command,
        labels: [TestEngine.testLabel: "1", "faultline.test.pid": String(getpid())].merging(spec.extraLabels) { $1 },
        user: spec.user, stopSignal: spec.stopSignal,
        exposedPorts: spec.publish.isEmpty ? nil : Array(spec.publish.keys),
        hostConfig: .init(binds: TestEngine.hostBinds + spec.extraBinds, portBindings: portBindings.isEmpty ? nil : portBindings,
                          networkMode: firstNetwork, memory: spec.memory, nanoCpus: spec.nanoCpus,
                          tmpfs: spec.tmpfs.isEmpty ? nil : spec.tmpfs),
        networkingConfig: firstNetwork.map { .init(endpointsConfig: [$0: endpoints[$0]!]) })
    let id = try await engine.createContainer(name: name, request)
    do {
        for network in spec.networks.keys.sorted().dropFirst() {
            try await engine.connectNetwork(network, container: id, endpoint: endpoints[network]!)
        }
        try await engine.startContainer(id)
    } catch {
        try? await engine.removeContainer(id)
        throw error
    }
    return try await runThenCleanUp({ try await body(try await engine.inspectContainer(id)) },
                                    cleanUp: { try? await engine.removeContainer(id) })
}

/// Creates a labelled bridge network (optionally with a fixed subnet, for static-address tests),
/// runs `body` with its name, and removes it afterwards, also when `body` throws.
public func withTestNetwork<T: Sendable>(
    engine: DockerEngineClient, subnet: String? = nil, _ body: (String) async throws -> T
) async throws -> T {
    let name = TestEngine.uniqueName("net")
    let id: String
    if let subnet {
        id = try await TestNetworkCreator.create(name: name, subnet: subnet, engine: engine)
    } else {
        id = try await engine.createNetwork(name: name, labels: [TestEngine.testLabel: "1"])
    }
    return try await runThenCleanUp({ try await body(name) }, cleanUp: { try? await engine.removeNetwork(id) })
}

/// Runs `body`, then `cleanUp` whether `body` returned or threw.
func runThenCleanUp<T>(_ body: () async throws -> T, cleanUp: () async -> Void) async throws -> T {
    let result: Result<T, any Error>
    do { result = .success(try await body()) } catch { result = .failure(error) }
    await cleanUp()
    return try result.get()
}

/// Networks with a user-configured subnet (the engine allows static addresses only on those).
/// Made with the docker CLI: the client's own `createNetwork` covers what faultline needs.
enum TestNetworkCreator {
    static func create(name: String, subnet: String, engine: DockerEngineClient) async throws -> String {
        let result = try await CommandRunner.run(["/usr/bin/docker", "network", "create", "--label", "\(TestEngine.testLabel)=1",
                                            "--subnet", subnet, name])
        guard result.status == 0 else { throw TestSupportError("docker network create failed: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A failure in test set-up itself.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
