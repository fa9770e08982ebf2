/// What a command run with `exec` produced.
public struct ExecResult: Sendable, Equatable {
    public let exitCode: Int
    public let stdout: String
    public let stderr: String

    public init(exitCode: Int, stdout: String, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// `GET /exec/{id}/json`.
struct ExecInspect: Codable, Sendable {
    let exitCode: Int?
    let running: Bool
    enum CodingKeys: String, CodingKey { case exitCode = "ExitCode", running = "Running" }
}

/// Splits the engine's multiplexed stdout/stderr stream (8-byte frame headers) into its two parts.
enum StreamDemultiplexer {
    static func split(_ bytes: [UInt8]) -> (stdout: [UInt8], stderr: [UInt8]) {
        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var index = 0
        while index + 8 <= bytes.count {
            let stream = bytes[index]
            let size = Int(bytes[index + 4]) << 24 | Int(bytes[index + 5]) << 16 | Int(bytes[index + 6]) << 8 | Int(bytes[index + 7])
            let start = index + 8, end = min(bytes.count, start + size)
            if stream == 2 { stderr += bytes[start..<end] } else { stdout += bytes[start..<end] }
            index = end
        }
        return (stdout, stderr)
    }
}
