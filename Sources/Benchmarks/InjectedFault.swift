import FaultlineCLI
import FaultlineSupport
import Foundation
import Glibc

/// A `faultline inject …` child a benchmark starts and waits for ("injected" in its log), and the
/// helper process a fault starts in a container's network namespace (its proxy, its packet engine).
enum InjectedFault {
    /// Starts `faultline ARGUMENTS` with its output in `log`; returns once it printed "injected", with
    /// the time that took. Stop it with `end`.
    static func start(_ faultline: String, _ arguments: [String], log: String) async throws -> (pid_t, Duration) {
        let child: pid_t
        switch ChildProcess.spawn([faultline] + arguments, stdout: .appendFile(log), stderr: .appendFile(log)) {
        case .success(let pid): child = pid
        case .failure(let failure): throw BenchmarkError(message: "could not start faultline \(arguments.prefix(2).joined(separator: " ")): \(failure)")
        }
        let started = ContinuousClock.now
        while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("injected") {
            guard ContinuousClock.now - started < .seconds(20), kill(child, 0) == 0 else {
                end(child)
                throw BenchmarkError(message: "faultline \(arguments.joined(separator: " ")) did not inject: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return (child, ContinuousClock.now - started)
    }

    /// SIGTERM (the inject reverts) and its exit.
    static func end(_ child: pid_t) {
        kill(child, SIGTERM)
        _ = ChildProcess.wait(child)
    }

    /// The `faultline SUBCOMMAND` process in the network namespace of process `pid`.
    static func helper(_ subcommand: String, inNamespaceOf pid: Int) throws -> Int {
        let namespace = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net")
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let candidate = Int(entry),
                  let commandLine = FileManager.default.contents(atPath: "/proc/\(candidate)/cmdline"),
                  String(decoding: commandLine, as: UTF8.self).split(separator: "\0").dropFirst().first == Substring(subcommand),
                  (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(candidate)/ns/net")) == namespace else { continue }
            return candidate
        }
        throw BenchmarkError(message: "no faultline \(subcommand) process in the container's network namespace")
    }
}
