import Foundation
import ServiceLifecycle

/// Touches `heartbeats/<pid>` every second while the process lives: how the warden tells a live
/// but hung faultline from a working one. Removed on a clean exit.
public struct Heartbeat: Service {
    public let directory: String
    public static let interval: Duration = .seconds(1)

    public init(directory: String) { self.directory = directory }

    public var path: String { directory + "/\(getpid())" }
    /// What a beat is written to before it is renamed over `path`.
    static let stagingSuffix = ".beat"

    /// Replaces the file whole (written beside it, then renamed), without an fsync: a beat says the
    /// process is alive now, which no power cut leaves true, so it need not reach the disk.
    public func beat() {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let text = "\(getpid()) \(Date().timeIntervalSince1970)\n"
        let staging = path + Self.stagingSuffix
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return }
        let written = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        close(descriptor)
        if written == text.utf8.count { rename(staging, path) } else { unlink(staging) }
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            beat()
            try? await Task.sleep(for: Self.interval)
        }
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: path + Self.stagingSuffix)
    }

    /// Seconds since `pid` last beat under `directory`; nil when it never did.
    public static func age(of pid: Int32, in directory: String, now: Date = Date()) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/\(pid)"),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return now.timeIntervalSince(modified)
    }
}
