/// One iptables rule faultline adds in a container's namespace. Every rule carries the fault's
/// ownership mark as a comment, so a revert (or `recover`) deletes exactly what faultline added and
/// never a rule that was there before.
public struct FirewallRule: Sendable, Equatable, Codable {
    /// `INPUT`, `OUTPUT` (or, on a host, `FORWARD`) of the filter table.
    public let chain: String
    /// The matches: `["-m", "statistic", "--mode", "random", "--probability", "0.3"]`.
    public let match: [String]
    /// `DROP` or `REJECT`.
    public let target: String
    /// `faultline:<id>`.
    public let mark: String

    public init(chain: String, match: [String], target: String = "DROP", mark: String) {
        self.chain = chain
        self.match = match
        self.target = target
        self.mark = mark
    }

    /// Leaves the container's own loopback traffic alone.
    static func notLoopback(_ chain: String) -> [String] { ["!", chain == "INPUT" ? "-i" : "-o", "lo"] }

    private var specification: [String] { match + ["-m", "comment", "--comment", mark, "-j", target] }

    /// First in the chain, so it decides before any rule that was already there.
    var insert: [String] { ["iptables", "-w", "5", "-I", chain, "1"] + specification }
    var check: [String] { ["iptables", "-w", "5", "-C", chain] + specification }
    var delete: [String] { ["iptables", "-w", "5", "-D", chain] + specification }
}
