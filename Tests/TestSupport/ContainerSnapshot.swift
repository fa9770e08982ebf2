import Foundation
import DockerEngine
import Faults

/// Everything a fault may touch on a container, for "exactly as it was" assertions: run state,
/// HostConfig limits, network attachments (aliases, static addresses), the live cgroup values, and
/// the firewall rules and root qdiscs inside its network namespace.
public struct ContainerSnapshot: Equatable, Sendable, CustomStringConvertible {
    public let running: Bool
    public let paused: Bool
    public let hostConfig: HostConfig
    /// network name → (aliases without the short id, static IPv4)
    public let networks: [String: String]
    public let cgroupValues: [String: String]
    /// The filter table and root qdiscs of the container's namespace (see `NamespaceState`).
    public let namespaceRules: String
    /// The command lines of the processes in its cgroup, sorted (a hog left behind shows here).
    public let processes: [String]

    public static func take(_ id: String, engine: DockerEngineClient) async throws -> ContainerSnapshot {
        let details = try await engine.inspectContainer(id)
        var networks: [String: String] = [:]
        for (name, endpoint) in details.networkSettings.networks ?? [:] {
            let aliases = (endpoint.aliases ?? []).filter { $0 != details.shortID }.sorted()
            networks[name] = "aliases=\(aliases) ipv4=\(endpoint.ipamConfig?.ipv4Address ?? "")"
        }
        var values: [String: String] = [:]
        var rules = ""
        var processes: [String] = []
        if details.state.running && details.hostConfig.networkMode != "host" {
            rules = try NamespaceState.take(pid: details.state.pid)
        }
        if details.state.running {
            // A container the engine calls running may still be in `runc init` for a moment (seen on
            // a loaded machine): its entrypoint is what "as it was" compares, so wait for it (up to 2 s).
            for _ in 0..<40 {
                processes = try HostProcesses().processes(ofContainerWithMainProcess: details.state.pid).map(\.commandLine).sorted()
                guard processes.contains("runc init") else { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let cgroups = HostCgroups()
            let cpu = try cgroups.directory(controller: .cpu, pid: details.state.pid)
            let memory = try cgroups.directory(controller: .memory, pid: details.state.pid)
            for file in ["cpu.cfs_quota_us", "cpu.cfs_period_us", "cpu.max"] where cgroups.exists(cpu.file(file)) {
                values[file] = try cgroups.read(cpu.file(file))
            }
            for file in ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.max", "memory.swap.max"]
            where cgroups.exists(memory.file(file)) {
                values[file] = try cgroups.read(memory.file(file))
            }
            let blkio = try cgroups.directory(controller: .blkio, pid: details.state.pid)
            for file in ["read_bps", "write_bps", "read_iops", "write_iops"].map({ "blkio.throttle.\($0)_device" }) + ["io.max"]
            where cgroups.exists(blkio.file(file)) {
                values[file] = try cgroups.read(blkio.file(file))
            }
        }
        return ContainerSnapshot(running: details.state.running, paused: details.state.paused,
                                 hostConfig: details.hostConfig, networks: networks, cgroupValues: values, namespaceRules: rules,
                                 processes: processes)
    }

    public var description: String {
        "running=\(running) paused=\(paused) networks=\(networks) cgroup=\(cgroupValues) rules=\(namespaceRules) processes=\(processes) host=\(hostConfig)"
    }
}
