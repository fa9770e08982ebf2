import Foundation

/// The faultline process that owns a ledger entry. Recovery leaves the faults of a live owner
/// alone (another `inject` may be mid-window in another terminal) and reverts the rest.
/// A pid alone is not enough (pids are reused), so the process start time and boot id count too.
public struct ProcessOwner: Codable, Sendable, Equatable {
    public let pid: Int32
    /// Start time in clock ticks since boot (`/proc/PID/stat` field 22).
    public let startTicks: UInt64
    public let bootID: String
    public let command: String

    public init(pid: Int32, startTicks: UInt64, bootID: String, command: String) {
        self.pid = pid
        self.startTicks = startTicks
        self.bootID = bootID
        self.command = command
    }

    /// This process.
    public static func current(command: String = CommandLine.arguments.joined(separator: " ")) -> ProcessOwner {
        let pid = getpid()
        return ProcessOwner(pid: pid, startTicks: startTicks(of: pid) ?? 0, bootID: currentBootID(), command: String(command.prefix(200)))
    }

    /// True while the very process that wrote the entry still runs.
    public var isAlive: Bool {
        guard bootID == Self.currentBootID() else { return false }
        guard let ticks = Self.startTicks(of: pid) else { return false }
        return ticks == startTicks
    }

    /// The process's start time in clock ticks since boot; nil when there is no such process or it
    /// has ended and waits to be reaped (a zombie is not alive: it cannot revert anything).
    static func startTicks(of pid: Int32) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may contain spaces) start at field 3 (the state).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, fields[0] != "Z", fields[0] != "X" else { return nil }
        return UInt64(fields[19])
    }

    /// Whether a process with this pid runs (not a zombie).
    public static func isRunning(_ pid: Int32) -> Bool { startTicks(of: pid) != nil }

    static func currentBootID() -> String {
        ((try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? "unknown")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
