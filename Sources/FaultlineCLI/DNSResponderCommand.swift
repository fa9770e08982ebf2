import ArgumentParser
import FaultlineSupport
import Faults

/// `faultline dns-responder`: the dns fault's resolver, started by the fault inside the target's
/// network namespace and cgroups; not for use by hand.
struct DNSResponderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns-responder",
        abstract: "The dns fault's resolver (started by the fault inside the container's network namespace).",
        shouldDisplay: false)

    @Option(help: "the loopback UDP port to answer on") var port: UInt16
    @Option(help: "the container's own resolver (IPv4)") var upstream: String
    @Option(help: "a regular expression searched for in each queried name") var names: String
    @Option(help: "nxdomain, servfail, timeout or delay") var answer: String
    @Option(help: "with --answer delay: how late the real answer comes") var delay: String?
    @Option(help: "how long to answer before deleting the rule and exiting") var lifetime: String
    @Option(help: "the comment of the nat rules to delete on the way out") var ruleMark: String?

    func run() throws {
        let parsed: DNSParameters
        do {
            var given: [(key: String, texts: [String])] = [("names", [names]), ("answer", [answer])]
            if let delay { given.append(("delay", [delay])) }
            parsed = try DNSParameters.read(given)
        } catch {
            throw ValidationError("\(error)")
        }
        let lifetime: Duration
        do { lifetime = try DurationText.parse(self.lifetime) } catch { throw ValidationError("--lifetime: \(error)") }
        try DNSResponder(port: port, upstream: upstream, names: parsed.names, answer: parsed.answer, lifetime: lifetime, ruleMark: ruleMark).run()
    }
}
