import Foundation
import Synchronization

/// The built `faultline` binary, run as a child process whose output can be awaited line by line
/// (for crash tests: SIGKILL it mid-window and check what it left).
public final class FaultlineProcess: Sendable {
    /// `FAULTLINE_BIN`, else `.build/debug/faultline` of this package.
    public static var binaryPath: String {
        if let explicit = ProcessInfo.processInfo.environment["FAULTLINE_BIN"] { return explicit }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/faultline").path
    }

    /// Runs faultline to completion.
    public static func run(_ arguments: [String]) async throws -> CommandRunner.Result {
        try requireBinary()
        return try await CommandRunner.run([binaryPath] + arguments)
    }

    public static func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: binaryPath) else {
            throw TestSupportError("no faultline binary at \(binaryPath): run `swift build` first (scripts/test.sh does)")
        }
    }

    private let process: Process
    private let output = Mutex<String>("")
    private let finished = Mutex<Bool>(false)

    /// `launcher` runs first (e.g. `prlimit --nofile=256 --`, which execs faultline in its place);
    /// `environment` entries are set on top of this process's environment.
    public init(_ arguments: [String], launcher: [String] = [], environment: [String: String] = [:]) throws {
        try Self.requireBinary()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Self.binaryPath)
        process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [Self.binaryPath] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        self.process = process
        try process.run()
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                output.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
            }
            finished.withLock { $0 = true }
        }.start()
    }

    public var pid: Int32 { process.processIdentifier }
    public var text: String { output.withLock { $0 } }

    /// Waits until the output contains `marker`; throws with the output so far on time-out or exit.
    public func waitFor(_ marker: String, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if text.contains(marker) { return }
            if finished.withLock({ $0 }) && !process.isRunning {
                if text.contains(marker) { return }
                throw TestSupportError("faultline exited (\(process.terminationStatus)) before printing '\(marker)':\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("faultline did not print '\(marker)' within \(timeout):\n\(text)")
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status (killed by a signal: 128 + signal).
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestSupportError("faultline did not exit within \(timeout):\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
