import Foundation

/// How Swarm replaced a task that a window ended (kill, stop): the replacement task, the node it
/// runs on, and the time it took, twice: as faultline saw it (from the inject to the first poll
/// that found the replacement running) and as Swarm's own task records say it (from the old
/// task's end to the new one's start of running), so one checks the other.
public struct Reschedule: Sendable, Equatable, Codable {
    public let service: String
    public let slot: Int?
    public let oldTask: String
    /// Nil: no replacement ran within the watch's limit.
    public var newTask: String?
    /// The replacement's node (its host name).
    public var node: String?
    /// From the inject call's start to the poll that saw the replacement running.
    public var seenAfter: Duration?
    /// From the old task's end to the new task's running, by the manager's timestamps.
    public var swarmAfter: Duration?
    /// How long the watch waited without a replacement.
    public var waited: Duration?

    public init(service: String, slot: Int?, oldTask: String) {
        self.service = service
        self.slot = slot
        self.oldTask = oldTask
    }

    /// One line for the window's notes.
    public var described: String {
        let task = "service \(service)" + (slot.map { " slot \($0)" } ?? "")
        guard newTask != nil, let seenAfter else {
            return "\(task): no replacement task ran within \(waited?.formatted ?? "the watch")"
        }
        let swarm = swarmAfter.map { "; Swarm's task records: \($0.formatted) from the old task's end" } ?? ""
        return "\(task) rescheduled on \(node ?? "?"): running \(seenAfter.formatted) after the fault\(swarm)"
    }
}
