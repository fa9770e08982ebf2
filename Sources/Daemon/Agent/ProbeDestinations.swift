import Foundation
import Probes

/// The hosts an agent lets coordinators' probes connect to (`daemon --probe-allow`): names and
/// addresses as written, or IPv4 ranges (`10.0.0.0/8`). Empty: any host. Names are compared as
/// written, never resolved, so an allowed list cannot be widened through DNS.
public struct ProbeDestinations: Sendable, Equatable {
    public let entries: [String]

    public init(_ entries: [String]) throws(ProbeDestinationError) {
        for entry in entries where entry.contains("/") {
            guard Self.range(entry) != nil else { throw ProbeDestinationError(entry: entry) }
        }
        self.entries = entries
    }

    public static let any = try! ProbeDestinations([])

    /// Why the probe may not run here, or nil when it may.
    public func refusal(for probe: ProbeConfig) -> String? {
        guard !entries.isEmpty else { return nil }
        guard let host = probe.destinationHost else {
            return "it names no host this agent can check against its allowed destinations (\(entries.joined(separator: ", ")))"
        }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if allows(bare) { return nil }
        return "host '\(host)' is not among this agent's allowed probe destinations (\(entries.joined(separator: ", ")))"
    }

    func allows(_ host: String) -> Bool {
        let address = Self.ipv4(host)
        return entries.contains { entry in
            if entry.caseInsensitiveCompare(host) == .orderedSame { return true }
            guard let address, let range = Self.range(entry) else { return false }
            return address & range.mask == range.network & range.mask
        }
    }

    static func range(_ text: String) -> (network: UInt32, mask: UInt32)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let network = ipv4(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits) else { return nil }
        return (network, bits == 0 ? 0 : UInt32.max << (32 - bits))
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet), String(byte) == octet else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}

/// A `--probe-allow` range that is not `A.B.C.D/BITS`.
public struct ProbeDestinationError: Error, CustomStringConvertible {
    public let entry: String
    public var description: String { "--probe-allow '\(entry)' is not a host, an address or an IPv4 range like 10.0.0.0/8" }
}
