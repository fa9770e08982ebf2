import FaultlineCLI
import Fixtures
import FaultlineSupport
import Foundation

/// Chaos Toolkit (`chaos`, from PyPI) as the peer of side-by-side benchmarks: finds the program,
/// writes a Python provider that calls the engine API over its unix socket (the cheapest way the
/// toolkit can run an engine action: no process per call), runs experiments and reads the timings
/// of each activity from the toolkit's journal.
struct ChaosToolkitPeer {
    let program: String
    let workDirectory: String

    /// `--chaos PATH` when given (an error when it is not an executable), else the bench venv's
    /// `chaos` or one on PATH; nil when there is none.
    static func locate(_ option: String?) throws -> String? {
        if let option {
            let relative = option.contains("/") && !option.hasPrefix("/") && FileManager.default.isExecutableFile(atPath: option)
            guard let found = relative ? option : ExecutablePath.find(option) else { throw BenchmarkError(message: "--chaos \(option): no such executable") }
            return found
        }
        return ExecutablePath.find(anyOf: [".build/bench-venv/bin/chaos", "chaos"])
    }

    static let providerModule = "faultline_bench_engine"

    /// The provider module: `call(socket_path, path)` POSTs to the engine and raises on an error status.
    static let providerSource = """
        import http.client, socket

        class _UnixConnection(http.client.HTTPConnection):
            def __init__(self, path):
                super().__init__("engine")
                self._socket_path = path

            def connect(self):
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(self._socket_path)

        def call(socket_path, path):
            connection = _UnixConnection(socket_path)
            connection.request("POST", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            if response.status >= 300:
                raise RuntimeError("POST %s: %d %s" % (path, response.status, body[:200]))
        """

    /// An engine action for an experiment's method: `POST path` through the provider module.
    static func engineAction(_ name: String, socketPath: String, path: String) -> [String: Any] {
        ["type": "action", "name": name,
         "provider": ["type": "python", "module": providerModule, "func": "call",
                      "arguments": ["socket_path": socketPath, "path": path]]]
    }

    /// One activity of a journal: its name and start/end (seconds since the epoch, microseconds kept).
    struct Activity {
        let name: String
        let start: Double
        let end: Double
    }

    /// Runs `experiment` (a JSON object) with `chaos run`; returns the wall time in milliseconds and
    /// the journal's activities. Throws when the run or any activity did not succeed.
    func run(experiment: [String: Any], named name: String) async throws -> (wallMilliseconds: Double, activities: [Activity]) {
        let experimentPath = workDirectory + "/\(name).json", journalPath = workDirectory + "/\(name)-journal.json"
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        try Self.providerSource.write(toFile: workDirectory + "/\(Self.providerModule).py", atomically: true, encoding: .utf8)
        try JSONSerialization.data(withJSONObject: experiment, options: [.sortedKeys]).write(to: URL(fileURLWithPath: experimentPath))
        let argv = [program, "--no-version-check", "--log-file", workDirectory + "/chaostoolkit.log",
                    "run", experimentPath, "--journal-path", journalPath]
        let environment = ["PYTHONPATH": workDirectory]
        let clock = ContinuousClock()
        let start = clock.now
        let status = await BlockingIO.run { ProcessSpawner.run(argv, adding: environment) }
        let wall = (clock.now - start).milliseconds
        guard status == 0 else {
            throw BenchmarkError(message: "chaos run exited with status \(status); see \(workDirectory)/chaostoolkit.log or run: \(argv.joined(separator: " "))")
        }
        return (wall, try Self.activities(journalAt: journalPath))
    }

    /// The activities of a journal, refusing one whose run or any activity did not succeed (the
    /// toolkit completes an experiment even when its actions fail).
    static func activities(journalAt path: String) throws -> [Activity] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let journal = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let runs = journal["run"] as? [[String: Any]] else {
            throw BenchmarkError(message: "\(path): not a Chaos Toolkit journal")
        }
        return try runs.map { entry in
            let name = (entry["activity"] as? [String: Any])?["name"] as? String ?? "?"
            guard entry["status"] as? String == "succeeded" else {
                throw BenchmarkError(message: "\(path): Chaos Toolkit's activity \(name) \(entry["status"] ?? "?"): \(entry["exception"] ?? "")")
            }
            guard let start = (entry["start"] as? String).flatMap(timestamp), let end = (entry["end"] as? String).flatMap(timestamp) else {
                throw BenchmarkError(message: "\(path): activity \(name) has no readable start/end")
            }
            return Activity(name: name, start: start, end: end)
        }
    }

    /// `2026-11-22T08:15:26.180757+00:00` → seconds since the epoch, microseconds kept (Foundation's
    /// ISO 8601 parser keeps milliseconds only).
    static func timestamp(_ text: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        guard let dot = text.firstIndex(of: ".") else { return formatter.date(from: text)?.timeIntervalSince1970 }
        let digitsEnd = text[dot...].dropFirst().firstIndex { !$0.isNumber } ?? text.endIndex
        guard let whole = formatter.date(from: String(text[..<dot]) + String(text[digitsEnd...])),
              let fraction = Double("0." + text[text.index(after: dot)..<digitsEnd]) else { return nil }
        return whole.timeIntervalSince1970 + fraction
    }
}
