import FaultlineSupport
import Foundation

/// The daemon's `--tcp HOST:PORT`: an IP address literal (IPv4, or IPv6 in brackets) or
/// `localhost`, never a name that some resolver decides.
public struct ListenerAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:7441`, `[::1]:7441` or `localhost:7441`.
    public static func parse(_ text: String) throws(ListenerAddressError) -> ListenerAddress {
        let host: Substring, portText: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ListenerAddressError(text: text, reason: "expected [IPV6]:PORT") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ListenerAddressError(text: text, reason: "expected HOST:PORT") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw ListenerAddressError(text: text, reason: "the port must be 1…65535")
        }
        let name = String(host)
        guard name == "localhost" || isIPv4(name) || isIPv6(name) else {
            throw ListenerAddressError(text: text, reason: "the host must be an IP address (127.0.0.1, [::1], 0.0.0.0) or localhost")
        }
        return ListenerAddress(host: name == "localhost" ? "127.0.0.1" : name, port: port)
    }

    static func isIPv4(_ host: String) -> Bool { var address = in_addr(); return inet_pton(AF_INET, host, &address) == 1 }
    static func isIPv6(_ host: String) -> Bool { var address = in6_addr(); return inet_pton(AF_INET6, host, &address) == 1 }
}

/// A `--tcp` value that is not a listener address.
public struct ListenerAddressError: Error, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "--tcp '\(text)': \(reason)" }
}
