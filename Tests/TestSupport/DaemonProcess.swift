import CurlTransport
import Faults
import Foundation

/// A `faultline daemon` child process with its own state directory, and HTTP calls to its API
/// over the unix socket. `stop()` (SIGTERM, then SIGKILL) in a `defer`-like path; the state
/// directory stays for the test to inspect and is under the temporary directory.
public final class DaemonProcess: Sendable {
    public let stateDirectory: String
    public let process: FaultlineProcess
    public var socket: String { stateDirectory + "/daemon.sock" }

    /// Starts a daemon (without a warden unless asked) and waits until it answers.
    public init(stateDirectory: String = NSTemporaryDirectory() + "fl-daemon-" + UUID().uuidString, warden: Bool = false,
                extra: [String] = [], launcher: [String] = [], environment: [String: String] = [:]) async throws {
        self.stateDirectory = stateDirectory
        process = try FaultlineProcess(["daemon", "--state-dir", stateDirectory, "--log-level", "info"] + (warden ? [] : ["--no-warden"]) + extra,
                                       launcher: launcher, environment: environment)
        try await process.waitFor("daemon ready")
    }

    /// One API call; the body as text.
    public func call(_ method: String, _ path: String, body: String? = nil, contentType: String = "application/json",
                     headers: [String] = [], timeout: Duration = .seconds(60)) async throws -> (status: Int, body: String) {
        try await Self.call(socket: socket, method, path, body: body, contentType: contentType, headers: headers, timeout: timeout)
    }

    public static func call(socket: String? = nil, url: String = "http://faultline", _ method: String, _ path: String, body: String? = nil,
                            contentType: String = "application/json", headers: [String] = [], timeout: Duration = .seconds(60)) async throws -> (status: Int, body: String) {
        let request = CurlRequest(method: method, url: url + path, headers: headers + (body == nil ? [] : ["Content-Type: \(contentType)"]),
                                  body: body.map { Array($0.utf8) }, timeout: timeout, connectTimeout: .seconds(3), unixSocketPath: socket)
        let response = try await ConnectionPool().withConnection { connection throws(TransportFailure) in try connection.perform(request) }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// The JSON answer of a call that must succeed.
    public func json(_ method: String, _ path: String, body: String? = nil, contentType: String = "application/json") async throws -> Any {
        let (status, text) = try await call(method, path, body: body, contentType: contentType)
        guard (200..<300).contains(status) else { throw TestSupportError("\(method) \(path): \(status) \(text)") }
        return try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// A run's record field (`status`, `reason`…).
    public func run(_ id: String) async throws -> [String: Any] {
        let detail = try await json("GET", "/v1/runs/\(id)") as? [String: Any]
        guard let run = detail?["run"] as? [String: Any] else { throw TestSupportError("no run in the answer for \(id)") }
        return run
    }

    /// Waits until the run's status is one of `statuses`; returns the record.
    public func waitForRun(_ id: String, in statuses: Set<String>, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let run = try await run(id)
            if let status = run["status"] as? String, statuses.contains(status) { return run }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSupportError("run \(id) did not reach \(statuses.sorted()) within \(timeout): \(try await run(id))\n\(process.text)")
    }

    /// SIGTERM and wait (everything is reverted before it exits); SIGKILL if it hangs.
    @discardableResult
    public func stop(timeout: Duration = .seconds(60)) async throws -> Int32 {
        process.signal(SIGTERM)
        return try await process.waitForExit(timeout: timeout)
    }

    /// SIGKILL: nothing is reverted by the daemon itself. Returns once the process is gone or a
    /// zombie (its exit noticed by the kernel; the reaping by Foundation may come later).
    public func kill() async throws {
        process.signal(SIGKILL)
        let deadline = ContinuousClock.now + .seconds(30)
        while ProcessOwner.isRunning(process.pid) {
            guard ContinuousClock.now < deadline else {
                let state = (try? String(contentsOfFile: "/proc/\(process.pid)/stat", encoding: .utf8)) ?? "gone"
                throw TestSupportError("daemon \(process.pid) still runs 30 s after SIGKILL (stat: \(state))\n\(process.text)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
