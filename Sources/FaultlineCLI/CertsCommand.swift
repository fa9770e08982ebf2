import ArgumentParser
import Campaign
import FaultlineSupport
import Foundation

/// `faultline certs DIR --node NAME=ADDRESS…`: a fleet's certificates for mutual TLS, made with
/// the `openssl` command: a CA (kept in DIR and reused for later nodes), one certificate per node
/// (server and client: the agent's listener, and the node as a coordinator), one for the
/// coordinator. Keys are EC P-256, written 0600; nothing existing is overwritten.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make a fleet's mutual-TLS certificates with openssl: a CA, one per node (its names and addresses), one for the coordinator.",
        discussion: """
            Writes DIR/ca.pem and DIR/ca.key (reused when they exist), DIR/NODE.pem and DIR/NODE.key for
            each --node, DIR/COORDINATOR.pem and .key for --coordinator. An agent takes
            --tls-cert DIR/NODE.pem --tls-key DIR/NODE.key --tls-ca DIR/ca.pem; the fleet file's `tls`
            names the coordinator's (see docs/FLEET.md). Keep ca.key off the nodes.
            """)

    @Argument(help: "Where the certificates go (created 0700).") var directory: String
    @Option(name: .long, help: "A node: NAME=ADDRESS[,ADDRESS…] (IP addresses or host names its agent is reached at); repeatable.")
    var node: [String] = []
    @Option(name: .long, help: "The coordinator's certificate name (a client certificate only).") var coordinator: String?
    @Option(name: .long, help: "Validity in days.") var days = 365

    struct Subject: Equatable {
        let name: String
        let addresses: [String]
    }

    /// `node1=172.18.0.2,node1.lan` → the name and its addresses; refused in one line with what is allowed.
    static func parseNode(_ text: String) throws -> Subject {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, FleetDescription.isValidNodeName(parts[0]) else {
            throw ValidationError("--node '\(text)': give NAME=ADDRESS[,ADDRESS…] (a name of letters, digits, '-', '_', '.'; e.g. node1=172.18.0.2)")
        }
        let addresses = parts[1].split(separator: ",").map(String.init)
        guard !addresses.isEmpty, addresses.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || ".-:".contains($0) } }) else {
            throw ValidationError("--node '\(text)': each address is an IP address or a host name (letters, digits, '.', '-', ':')")
        }
        return Subject(name: parts[0], addresses: addresses)
    }

    func validate() throws {
        guard !node.isEmpty || coordinator != nil else { throw ValidationError("name at least one --node or --coordinator") }
        for text in node { _ = try Self.parseNode(text) }
        if let coordinator, !FleetDescription.isValidNodeName(coordinator) {
            throw ValidationError("--coordinator '\(coordinator)': letters, digits, '-', '_' and '.' only")
        }
        guard (1...3650).contains(days) else { throw ValidationError("--days must be 1 … 3650, got \(days)") }
    }

    func run() throws {
        guard let openssl = ExecutablePath.find("openssl") else {
            throw ValidationError("faultline certs needs the openssl command (Debian: apt-get install openssl)")
        }
        let maker = CertificateMaker(openssl: openssl, directory: directory, days: days)
        try maker.prepareDirectory()
        let subjects = try node.map(Self.parseNode)
        for subject in subjects + (coordinator.map { [Subject(name: $0, addresses: [])] } ?? []) {
            for file in [subject.name + ".pem", subject.name + ".key"] where FileManager.default.fileExists(atPath: directory + "/" + file) {
                throw ValidationError("\(directory)/\(file) exists: remove it to issue a new one (nothing was written)")
            }
        }
        let madeCA = try maker.ensureCA()
        Output.note(madeCA ? "made the fleet CA: \(directory)/ca.pem (its key \(directory)/ca.key stays with whoever issues certificates)"
                           : "reused the fleet CA in \(directory)/ca.pem")
        for subject in subjects {
            try maker.issue(name: subject.name, addresses: subject.addresses, server: true)
            Output.note("node \(subject.name): \(directory)/\(subject.name).pem and .key (for \(subject.addresses.joined(separator: ", ")))")
        }
        if let coordinator {
            try maker.issue(name: coordinator, addresses: [], server: false)
            Output.note("coordinator \(coordinator): \(directory)/\(coordinator).pem and .key")
        }
    }
}
