import FaultlineCLI
import Fixtures
import ArgumentParser
import Campaign
import DockerEngine
import Faults
import FaultlineSupport
import Foundation

/// `faultline-bench`: figures that compare faultline with the obvious alternatives. A program of
/// its own, so the product carries no benchmark code or fixtures.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultline-bench",
        abstract: "Benchmarks that compare faultline with the alternatives, side by side in one run.",
        subcommands: [EngineBench.self, OnCallBench.self, ProbeBench.self, SchedulerBench.self, CampaignBench.self, RecoveryBench.self, ProxyBench.self, TransparentHTTPBench.self, TransparentHTTPSBench.self, PacketEngineBench.self, DaemonBench.self, FleetBench.self, SwarmRecoveryBench.self])
}

/// The `faultline` program the benchmarks run: `$FAULTLINE_BIN`, else the one built beside this one.
enum FaultlineBinary {
    static func beside() throws -> String {
        if let given = ProcessInfo.processInfo.environment["FAULTLINE_BIN"], !given.isEmpty { return given }
        let own = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = (own as NSString).deletingLastPathComponent + "/faultline"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("no faultline program beside \(own): build it (swift build -c release) or set FAULTLINE_BIN")
        }
        return path
    }
}
