/// How many packets (and bytes) the engine holds back at once, and what happens to one more: held
/// packets wait in the kernel's queue until their verdict, with faultline's record of each, so
/// both are bounded.
public struct PacketBounds: Sendable, Codable, Equatable {
    public enum Overflow: String, Sendable, Codable, CaseIterable {
        /// Let it through at once, undelayed.
        case accept
        case drop
    }

    public var maxHeld: Int
    /// The most bytes held at once (the packets' lengths from their IP headers).
    public var maxHeldBytes: Int64
    public var overflow: Overflow

    public init(maxHeld: Int = PacketBounds.standard.maxHeld, maxHeldBytes: Int64 = PacketBounds.standard.maxHeldBytes, overflow: Overflow = .accept) {
        self.maxHeld = maxHeld
        self.maxHeldBytes = maxHeldBytes
        self.overflow = overflow
    }

    public static let standard = PacketBounds(maxHeld: 50_000, maxHeldBytes: 256 << 20, overflow: .accept)
}
