/// Which packets the engine corrupts and how: one bit flipped after the IP header (so the packet
/// still reaches the transport), with the TCP/UDP checksum left broken (the receiving stack drops
/// it, as a link's corruption usually ends) or fixed (the application gets the flipped bit).
public struct PacketCorruption: Sendable, Codable, Equatable {
    public enum Checksums: String, Sendable, Codable, CaseIterable {
        case `break`
        case fix
    }

    public var probability: Double
    public var checksums: Checksums

    public init(probability: Double, checksums: Checksums = .break) {
        self.probability = probability
        self.checksums = checksums
    }

    /// Flips bit `bit` (modulo what it may touch) of `packet` after the IPv4 header; with `.fix`,
    /// only in the TCP or UDP payload (so the packet still reaches its socket) and with a correct
    /// checksum written again. False when there is nothing to flip (not IPv4; no payload to fix).
    static func flip(_ packet: inout [UInt8], bit: Int, checksums: Checksums) -> Bool {
        guard let header = IPv4Header(packet) else { return false }
        var start = header.length
        if checksums == .fix {
            guard let transport = header.transportHeaderLength(packet) else { return false }
            start += transport
        }
        guard header.totalLength > start else { return false }
        let position = start * 8 + bit % ((header.totalLength - start) * 8)
        packet[position / 8] ^= UInt8(1 << (position % 8))
        if checksums == .fix { IPv4Header.fixTransportChecksum(&packet, header: header) }
        return true
    }
}

/// The few facts of an IPv4 header the engine reads.
struct IPv4Header {
    /// In bytes.
    let length: Int
    let totalLength: Int
    let proto: UInt8

    init?(_ packet: [UInt8]) {
        guard packet.count >= 20, packet[0] >> 4 == 4 else { return nil }
        length = Int(packet[0] & 0x0f) * 4
        totalLength = Int(packet[2]) << 8 | Int(packet[3])
        proto = packet[9]
        guard length >= 20, totalLength <= packet.count, totalLength >= length else { return nil }
    }

    /// The TCP header's length (its data offset) or UDP's 8; nil for other protocols or a short packet.
    func transportHeaderLength(_ packet: [UInt8]) -> Int? {
        switch proto {
        case 6: return totalLength >= length + 20 ? Int(packet[length + 12] >> 4) * 4 : nil
        case 17: return totalLength >= length + 8 ? 8 : nil
        default: return nil
        }
    }

    /// Recomputes the TCP (6) or UDP (17) checksum over the pseudo-header and segment; a UDP packet
    /// sent without a checksum (0) keeps none.
    static func fixTransportChecksum(_ packet: inout [UInt8], header: IPv4Header) {
        let offset: Int
        switch header.proto {
        case 6: offset = header.length + 16
        case 17: offset = header.length + 6
        default: return
        }
        guard offset + 2 <= header.totalLength else { return }
        if header.proto == 17 && packet[offset] == 0 && packet[offset + 1] == 0 { return }
        packet[offset] = 0
        packet[offset + 1] = 0
        let segmentLength = header.totalLength - header.length
        var sum: UInt32 = 0
        func add(_ high: UInt8, _ low: UInt8) { sum += UInt32(high) << 8 | UInt32(low) }
        for index in stride(from: 12, to: 20, by: 2) { add(packet[index], packet[index + 1]) }   // source, destination
        add(0, header.proto)
        add(UInt8(segmentLength >> 8), UInt8(segmentLength & 0xff))
        var index = header.length
        while index + 1 < header.totalLength { add(packet[index], packet[index + 1]); index += 2 }
        if index < header.totalLength { add(packet[index], 0) }
        while sum >> 16 != 0 { sum = (sum & 0xffff) + (sum >> 16) }
        var checksum = ~UInt16(sum)
        if header.proto == 17 && checksum == 0 { checksum = 0xffff }
        packet[offset] = UInt8(checksum >> 8)
        packet[offset + 1] = UInt8(checksum & 0xff)
    }
}
