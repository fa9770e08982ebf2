import FaultlineSupport
import Foundation

/// Runs a program with posix_spawn and waits for it, output discarded: the cheapest way to start
/// a process, so a comparison against the docker CLI or curl charges them nothing extra.
enum ProcessSpawner {
    /// Runs `argv` (with `adding` set in its environment) and returns its exit status (or -1 when it
    /// could not be started or was killed by a signal).
    static func run(_ argv: [String], adding environment: [String: String] = [:]) -> Int32 {
        let variables = environment.isEmpty ? nil
            : ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        guard case .success(let pid) = ChildProcess.spawn(argv, stdin: .inherit, environment: variables) else { return -1 }
        let status = ChildProcess.wait(pid)
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
    }
}
