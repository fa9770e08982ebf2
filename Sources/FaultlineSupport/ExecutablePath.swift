import Foundation

/// Finds programs the way a shell does: the first executable of that name on `PATH`.
public enum ExecutablePath {
    /// `program` if it is an absolute executable path, else its first match on `PATH`.
    public static func find(_ program: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        if program.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The first of `candidates` that exists, else a `PATH` lookup of the last one's name.
    public static func find(anyOf candidates: [String]) -> String? {
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        return candidates.last.flatMap { find(($0 as NSString).lastPathComponent) }
    }
}
