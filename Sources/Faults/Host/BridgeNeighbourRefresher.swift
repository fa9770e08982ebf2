import DockerEngine
import FaultlineSupport
import Foundation
import Logging
import Synchronization

/// Keeps probes from measuring the host's ARP cache instead of the service.
///
/// While a container is down, every packet the host sends to its bridge address (a probe to the
/// address, or docker-proxy forwarding a probe of a published port) leaves the host's neighbour
/// entry for it INCOMPLETE, and the kernel asks again only every `retrans_time_ms` (1 s on this
/// engine's bridges). A container that is back within that second stays unreachable from the
/// host until the next ask: up to a second of downtime that belongs to the probe, not to the
/// service (the bench `recovery` benchmark shows it). After each `start` of a watched container,
/// an INCOMPLETE or FAILED entry for one of its bridge addresses is set to the container's known
/// MAC address (state STALE: the kernel confirms it by itself, and packets queued on the entry
/// leave at once). Entries in any other state are not touched.
public final class BridgeNeighbourRefresher: Sendable {
    private let engine: DockerEngineClient
    private let logger: Logger
    private let bridges = Mutex<[String: String?]>([:])
    private let refreshedCount = Mutex(0)

    public init(engine: DockerEngineClient, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    /// Entries set so far.
    public var refreshed: Int { refreshedCount.withLock { $0 } }

    /// Follows the containers' `start` events from `since` on and refreshes after each, until the
    /// task is cancelled. Engine errors end the watch with a warning (probes then measure as before).
    public func watch(_ containerIDs: [String], since: Date) -> Task<Void, Never> {
        Task { [engine, logger] in
            guard !containerIDs.isEmpty else { return }
            do {
                let events = try engine.events(filters: ["type": ["container"], "container": containerIDs, "event": ["start"]],
                                               since: String(format: "%.6f", since.timeIntervalSince1970))
                for try await event in events {
                    await refresh(event.actor.id)
                }
            } catch is CancellationError {
            } catch {
                if !Task.isCancelled {
                    logger.warning("stopped following container starts for neighbour refreshes", metadata: [LogKey.error: "\(error)"])
                }
            }
        }
    }

    /// Refreshes the host's entries for the container's bridge addresses; returns the addresses set.
    @discardableResult
    public func refresh(_ containerID: String) async -> [String] {
        guard let details = try? await engine.inspectContainer(containerID) else { return [] }
        var set: [String] = []
        for (_, endpoint) in details.networkSettings.networks ?? [:] {
            guard let address = endpoint.ipAddress, !address.isEmpty, let mac = endpoint.macAddress, !mac.isEmpty,
                  let networkID = endpoint.networkID, let bridge = await bridge(of: networkID) else { continue }
            let state = (try? HostNetworkNamespaces.spawn(["ip", "-4", "neigh", "show", address, "dev", bridge], timeout: .seconds(2)))?.output ?? ""
            guard state.contains("INCOMPLETE") || state.contains("FAILED") else { continue }
            let result = try? HostNetworkNamespaces.spawn(["ip", "-4", "neigh", "replace", address, "lladdr", mac, "dev", bridge, "nud", "stale"],
                                                          timeout: .seconds(2))
            if result?.succeeded == true {
                set.append(address)
                refreshedCount.withLock { $0 += 1 }
                logger.info("refreshed the host's neighbour entry after a start",
                            metadata: ["container": "\(details.name)", "address": "\(address)", "bridge": "\(bridge)",
                                       "was": "\(state.contains("FAILED") ? "FAILED" : "INCOMPLETE")"])
            } else {
                logger.debug("could not refresh a neighbour entry", metadata: ["address": "\(address)", "output": "\(result?.output ?? "")"])
            }
        }
        return set
    }

    /// The host device of a bridge network (nil for other drivers, or a bridge not in this namespace).
    private func bridge(of networkID: String) async -> String? {
        if let known = bridges.withLock({ $0[networkID] }) { return known }
        var device: String?
        if let network = try? await engine.inspectNetwork(networkID), network.driver == "bridge" {
            let name = network.options?["com.docker.network.bridge.name"] ?? "br-" + network.id.prefix(12)
            if FileManager.default.fileExists(atPath: "/sys/class/net/\(name)") { device = name }
        }
        bridges.withLock { $0[networkID] = device }
        return device
    }
}
