import Foundation
import ServiceLifecycle

/// Touches `heartbeats/<pid>` every second while the process lives: how the warden tells a live
/// but hung faultline from a working one. Removed on a clean exit.
public struct Heartbeat: Service {
    public let directory: String
    public static let interval: Duration = .seconds(1)

    public init(directory: String) { self.directory = directory }

    public var path: String { directory + "/\(getpid())" }

    public func beat() {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = "\(getpid()) \(Date().timeIntervalSince1970)\n"
        try? Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            beat()
            try? await Task.sleep(for: Self.interval)
        }
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Seconds since `pid` last beat under `directory`; nil when it never did.
    public static func age(of pid: Int32, in directory: String, now: Date = Date()) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/\(pid)"),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return now.timeIntervalSince(modified)
    }
}
