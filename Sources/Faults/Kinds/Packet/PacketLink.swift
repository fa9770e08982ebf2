/// The `rate` of the packet engine: each direction of the container's matching traffic is a link
/// that sends one packet at a time at the rate, as netem's rate does. A packet leaves when its delay
/// is over and the link has sent the ones before it, plus its own time on the wire.
struct PacketLink {
    let bytesPerSecond: Double
    /// When each direction's link has sent everything given to it so far.
    private var free: [TrafficDirection: ContinuousClock.Instant] = [:]

    init(bytesPerSecond: Double) { self.bytesPerSecond = bytesPerSecond }

    /// When a packet of `bytes` that may leave at `earliest` has left, without committing it.
    func departure(_ direction: TrafficDirection, earliest: ContinuousClock.Instant, bytes: Int) -> ContinuousClock.Instant {
        let start = free[direction].map { max($0, earliest) } ?? earliest
        return start + .nanoseconds(Int64((Double(bytes) / bytesPerSecond * 1e9).rounded()))
    }

    /// The packet went onto the link: the link is busy until it has left.
    mutating func commit(_ direction: TrafficDirection, departure: ContinuousClock.Instant) { free[direction] = departure }

    /// A packet's length from its network header (IPv4 total length; IPv6 payload length plus the
    /// header), nil when the header is not there; a GSO packet above 64 KiB (length 0) counts as 64 KiB.
    static func length(ofPacket header: UnsafeRawBufferPointer) -> Int? {
        guard header.count >= 6 else { return nil }
        switch header[0] >> 4 {
        case 4:
            let length = Int(header[2]) << 8 | Int(header[3])
            return length == 0 ? 65_535 : length
        case 6:
            return 40 + (Int(header[4]) << 8 | Int(header[5]))
        default:
            return nil
        }
    }
}
