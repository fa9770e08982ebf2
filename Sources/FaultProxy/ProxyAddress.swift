/// A proxy's listen or upstream address as written: `HOST:PORT`, or `PORT` where a default host applies.
public struct ProxyAddress: Sendable, Equatable {
    public let host: String
    /// 0 asks for any free port (listen only).
    public let port: Int

    /// Nil when `text` is not `[HOST:]PORT` with a port 0…65535 (HOST required when there is no default).
    public static func parse(_ text: String, defaultHost: String?) -> ProxyAddress? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let host = parts.count == 2 ? String(parts[0]) : defaultHost
        guard let host, !host.isEmpty, let port = Int(parts.last!), (0...65535).contains(port) else { return nil }
        return ProxyAddress(host: host, port: port)
    }
}
