import DockerEngine
import FaultlineSupport
import Foundation

/// Measures, side by side in one run on one container, what a pause+unpause round trip and a
/// `/_ping` cost through faultline's client, through one `curl --unix-socket` process per call,
/// and through `docker pause`/`docker unpause` CLI processes. Rounds are interleaved so that all
/// methods share the same machine noise.
struct EngineBenchmark {
    let engine: DockerEngineClient
    let socketPath: String
    let rounds: Int
    let docker: String?
    let curl: String?

    struct Result {
        /// method → milliseconds per round
        var pauseRoundTrip: [String: [Double]] = [:]
        var ping: [String: [Double]] = [:]
        /// The engine's own time for pause+unpause (request sent → first response byte, both calls).
        var engineTime: [Double] = []
    }

    static let client = "faultline client (libcurl, kept-alive)"
    static let curlProcess = "curl process per call"
    static let dockerCLI = "docker CLI per call"

    func run(on container: String) async throws -> Result {
        var result = Result()
        let base = "http://engine/v\(engine.apiVersion)/containers/\(container)"
        let clock = ContinuousClock()
        func timed(_ body: () async throws -> Void) async rethrows -> Double {
            let start = clock.now
            try await body()
            return (clock.now - start).milliseconds
        }
        for round in 0..<(rounds + 3) {
            let warmup = round < 3
            var engineOwn = 0.0
            let viaClient = try await timed {
                engineOwn += try await engine.timedPause(container).engine.milliseconds
                engineOwn += try await engine.timedUnpause(container).engine.milliseconds
            }
            let pingClient = try await timed { _ = try await engine.timedPing() }
            var viaCurl: Double?, pingCurl: Double?, viaDocker: Double?
            if let curl {
                viaCurl = try await timed {
                    try check(ProcessSpawner.run([curl, "-sf", "-o", "/dev/null", "--unix-socket", socketPath, "-X", "POST", "\(base)/pause"]), "curl pause")
                    try check(ProcessSpawner.run([curl, "-sf", "-o", "/dev/null", "--unix-socket", socketPath, "-X", "POST", "\(base)/unpause"]), "curl unpause")
                }
                pingCurl = try await timed {
                    try check(ProcessSpawner.run([curl, "-sf", "-o", "/dev/null", "--unix-socket", socketPath, "http://engine/_ping"]), "curl ping")
                }
            }
            if let docker {
                viaDocker = try await timed {
                    try check(ProcessSpawner.run([docker, "pause", container]), "docker pause")
                    try check(ProcessSpawner.run([docker, "unpause", container]), "docker unpause")
                }
            }
            guard !warmup else { continue }
            result.engineTime.append(engineOwn)
            result.pauseRoundTrip[Self.client, default: []].append(viaClient)
            result.ping[Self.client, default: []].append(pingClient)
            if let viaCurl { result.pauseRoundTrip[Self.curlProcess, default: []].append(viaCurl) }
            if let pingCurl { result.ping[Self.curlProcess, default: []].append(pingCurl) }
            if let viaDocker { result.pauseRoundTrip[Self.dockerCLI, default: []].append(viaDocker) }
        }
        return result
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == 0 else { throw BenchmarkError(message: "\(what) failed with exit status \(status)") }
    }

    /// The figures as a Markdown table, ratios relative to faultline's client.
    static func report(_ result: Result, rounds: Int, engineVersion: String) -> String {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.2f ms", $0) } ?? "-" }
        var lines = ["### Engine call cost (\(rounds) rounds, engine \(engineVersion))", ""]
        lines.append("| operation | method | median | p90 | × faultline |")
        lines.append("|---|---|---:|---:|---:|")
        for (operation, table) in [("pause+unpause", result.pauseRoundTrip), ("/_ping", result.ping)] {
            let reference = Percentiles(table[client] ?? []).median ?? .nan
            for method in [client, curlProcess, dockerCLI] {
                guard let samples = table[method] else { continue }
                let stats = Percentiles(samples)
                let ratio = (stats.median ?? .nan) / reference
                lines.append("| \(operation) | \(method) | \(ms(stats.median)) | \(ms(stats.value(90))) | \(String(format: "%.1f×", ratio)) |")
            }
        }
        let engineOwn = Percentiles(result.engineTime).median ?? .nan
        let clientMedian = Percentiles(result.pauseRoundTrip[client] ?? []).median ?? .nan
        lines.append("")
        lines.append(String(format: "Engine's own time for pause+unpause (request sent → first byte): %.2f ms median; faultline's round trip adds %.1f%% on top.",
                            engineOwn, (clientMedian - engineOwn) / engineOwn * 100))
        return lines.joined(separator: "\n")
    }
}

/// A benchmark step that could not run.
struct BenchmarkError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
