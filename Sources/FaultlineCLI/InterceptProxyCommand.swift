import ArgumentParser
import FaultlineSupport
import Faults
import Foundation

/// `faultline intercept-proxy`: the proxy of the http and websocket faults, started by the fault
/// inside the target's network namespace and cgroups; not for use by hand.
struct InterceptProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intercept-proxy",
        abstract: "The proxy of the http and websocket faults (started by the fault inside the container's network namespace).",
        shouldDisplay: false)

    @Option(help: "http or websocket") var kind: String
    @Option(help: "the TCP port to listen on (every address of the namespace)") var port: UInt16
    @Option(help: "the fault's parameters as JSON: {\"key\": [\"text\", …]}") var parameters: String
    @Option(help: "how long to serve before deleting the rule and exiting") var lifetime: String
    @Option(help: "the comment of the nat rules to delete on the way out") var ruleMark: String?

    func run() throws {
        let behaviour: InterceptProxy.Behaviour, tls: InterceptTLS?
        do {
            let given = try JSONDecoder().decode([String: [String]].self, from: Data(parameters.utf8)).map { (key: $0.key, texts: $0.value) }
            switch kind {
            case FaultKind.http.rawValue:
                let fault = try HTTPParameters.read(given)
                behaviour = .http(fault.match, fault.answer)
                tls = fault.tls
            case FaultKind.websocket.rawValue:
                let fault = try WebSocketParameters.read(given)
                behaviour = .websocket(fault)
                tls = fault.tls
            default: throw ValidationError("--kind must be http or websocket, got \(kind)")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("--parameters: \(error)")
        }
        let lifetime: Duration
        do { lifetime = try DurationText.parse(self.lifetime) } catch { throw ValidationError("--lifetime: \(error)") }
        try InterceptProxy(port: port, behaviour: behaviour, lifetime: lifetime, ruleMark: ruleMark, tls: tls).run()
    }
}
