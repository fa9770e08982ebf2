import ArgumentParser
import FaultlineSupport
import Faults
import Foundation

/// `faultline packet-engine`: the packet engine of the packet fault, started by the fault inside
/// the target's network namespace and cgroups; not for use by hand.
struct PacketEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packet-engine",
        abstract: "The packet engine of the packet fault (started by the fault inside the container's network namespace).",
        shouldDisplay: false)

    @Option(help: "the NFQUEUE number to read") var queue: UInt16
    @Option(help: "the fault's parameters as JSON: {\"key\": [\"text\", …]}") var parameters: String
    @Option(help: "how long to serve before deleting the rules and exiting") var lifetime: String
    @Option(help: "the comment of the filter rules to delete on the way out") var ruleMark: String?
    @Option(help: "end (letting held packets through) when this process exits") var ownerPid: Int32?
    @Option(help: "write what it did (packets delayed, dropped…) here as JSON when it ends") var counts: String?

    func run() throws {
        let fault: PacketParameters
        do {
            let given = try JSONDecoder().decode([String: [String]].self, from: Data(parameters.utf8)).map { (key: $0.key, texts: $0.value) }
            fault = try PacketParameters.read(given)
        } catch {
            throw ValidationError("--parameters: \(error)")
        }
        let lifetime: Duration
        do { lifetime = try DurationText.parse(self.lifetime) } catch { throw ValidationError("--lifetime: \(error)") }
        try PacketEngine(queue: queue, parameters: fault, lifetime: lifetime, ruleMark: ruleMark, ownerPID: ownerPid, countsFile: counts).run()
    }
}
