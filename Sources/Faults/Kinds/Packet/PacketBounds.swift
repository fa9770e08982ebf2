/// How many packets the engine holds back at once, and what happens to one more: held packets
/// are faultline's memory (the kernel keeps them until their verdict), so they are bounded.
public struct PacketBounds: Sendable, Codable, Equatable {
    public enum Overflow: String, Sendable, Codable, CaseIterable {
        /// Let it through at once, undelayed.
        case accept
        case drop
    }

    public var maxHeld: Int
    public var overflow: Overflow

    public init(maxHeld: Int, overflow: Overflow) {
        self.maxHeld = maxHeld
        self.overflow = overflow
    }

    public static let standard = PacketBounds(maxHeld: 50_000, overflow: .accept)
}
