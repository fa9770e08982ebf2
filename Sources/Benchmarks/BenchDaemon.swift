import Daemon
import FaultlineCLI
import FaultlineSupport
import Foundation

/// A `faultline daemon` child process for a benchmark: its own state directory, no warden (the
/// benchmarks' faults end with their windows), its API on the state directory's unix socket.
/// `start` returns once it answers `/v1/health`; `stop` ends it (SIGTERM) and waits for it.
struct BenchDaemon {
    let pid: pid_t
    let client: DaemonClient

    static func start(faultline: String, stateDirectory: String) async throws -> BenchDaemon {
        let argv = [faultline, "daemon", "--state-dir", stateDirectory, "--no-warden", "--log-level", "error"]
        guard case .success(let pid) = ChildProcess.spawn(argv) else { throw BenchmarkError(message: "could not start \(faultline) daemon") }
        let daemon = BenchDaemon(pid: pid, client: DaemonClient(socket: DaemonPaths(stateDirectory: stateDirectory).socket,
                                                                baseURL: "http://faultline", token: nil))
        for _ in 0..<100 {
            if (try? await daemon.client.request("GET", "/v1/health"))?.status == 200 { return daemon }
            try await Task.sleep(for: .milliseconds(50))
        }
        daemon.stop()
        throw BenchmarkError(message: "the benchmark daemon did not answer /v1/health within 5 s")
    }

    func stop() {
        kill(pid, SIGTERM)
        _ = ChildProcess.wait(pid)
    }
}
