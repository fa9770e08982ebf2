import FaultlineSupport
import Foundation

/// What the packet engine did in one fault's window: written by the engine when it ends (to a file
/// the fault names), read by the revert into its outcome, so a window's report says how many packets
/// were delayed, dropped, duplicated and corrupted.
public struct PacketCounts: Sendable, Codable, Equatable, CustomStringConvertible {
    public var seen = 0
    public var delayed = 0
    public var dropped = 0
    public var duplicated = 0
    public var corrupted = 0
    /// Packets that met a full bound (`max-held`) and were accepted undelayed or dropped as asked.
    public var pastBound = 0
    /// Packets that waited for the rate's link beyond their delay.
    public var rateLimited = 0
    public var mostHeld = 0
    public var mostHeldBytes: Int64 = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case seen, delayed, dropped, duplicated, corrupted, pastBound = "past_bound", rateLimited = "rate_limited"
        case mostHeld = "most_held", mostHeldBytes = "most_held_bytes"
    }

    public var description: String {
        "the packet engine saw \(seen) packets: \(delayed) delayed" + (rateLimited > 0 ? " (\(rateLimited) waiting for the rate)" : "")
            + ", \(dropped) dropped, \(duplicated) duplicated, \(corrupted) corrupted; at most \(mostHeld) held at once (\(ByteSize.format(mostHeldBytes)))"
            + (pastBound > 0 ? "; \(pastBound) met the max-held bound" : "")
    }

    /// Writes them to `path` whole (a temporary file renamed over it).
    func write(to path: String) {
        guard let data = try? JSONEncoder().encode(self) else { return }
        let temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        _ = rename(temporary, path)
    }

    /// Reads and removes what an engine wrote at `path`; nil when it wrote nothing (it was SIGKILLed).
    static func take(from path: String) -> PacketCounts? {
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(PacketCounts.self, from: data)
    }
}
