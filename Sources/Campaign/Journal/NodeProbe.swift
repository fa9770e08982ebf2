/// A probe a fleet node's agent ran for the run, and how far that node's clock was from the
/// coordinator's: its samples were moved onto the run's timeline by that much.
public struct NodeProbe: Sendable, Codable, Equatable {
    public let probe: String
    public let node: String
    public let clock: ClockOffset

    public init(probe: String, node: String, clock: ClockOffset) {
        self.probe = probe
        self.node = node
        self.clock = clock
    }

    /// `web-inside on node2 (clock +3.2ms ± 0.4ms)`.
    public var summary: String { "\(probe) on \(node) (clock \(clock.formatted), corrected)" }
}
