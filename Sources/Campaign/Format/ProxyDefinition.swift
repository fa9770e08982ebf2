/// A TCP fault proxy the campaign runs in faultline's own process for the whole run: probes (or
/// the system under test) connect to `listen`, the proxy forwards to `upstream`, and `toxic`
/// windows in the timeline turn toxics on and off in it.
public struct ProxyDefinition: Sendable, Equatable, Codable {
    public let name: String
    public let listenHost: String
    public let listenPort: Int
    public let upstreamHost: String
    public let upstreamPort: Int

    public init(name: String, listenHost: String, listenPort: Int, upstreamHost: String, upstreamPort: Int) {
        self.name = name
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
    }

    /// How a plan names the proxy where other faults name a container: `proxy:backend-link`.
    public static func targetID(_ name: String) -> String { "proxy:" + name }
}
