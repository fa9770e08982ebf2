import ArgumentParser
import FaultlineSupport
import Faults
import Foundation

/// `faultline http-proxy`: the http fault's proxy, started by the fault inside the target's
/// network namespace and cgroups; not for use by hand.
struct HTTPProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-proxy",
        abstract: "The http fault's proxy (started by the fault inside the container's network namespace).",
        shouldDisplay: false)

    @Option(help: "the TCP port to listen on (every address of the namespace)") var port: UInt16
    @Option(help: "the fault's parameters as JSON: {\"key\": [\"text\", …]}") var parameters: String
    @Option(help: "how long to serve before deleting the rule and exiting") var lifetime: String
    @Option(help: "the comment of the nat rules to delete on the way out") var ruleMark: String?

    func run() throws {
        let fault: HTTPParameters
        do {
            let given = try JSONDecoder().decode([String: [String]].self, from: Data(parameters.utf8))
            fault = try HTTPParameters.read(given.map { (key: $0.key, texts: $0.value) })
        } catch {
            throw ValidationError("--parameters: \(error)")
        }
        let lifetime: Duration
        do { lifetime = try DurationText.parse(self.lifetime) } catch { throw ValidationError("--lifetime: \(error)") }
        try HTTPFaultProxy(port: port, match: fault.match, answer: fault.answer, lifetime: lifetime, ruleMark: ruleMark).run()
    }
}
