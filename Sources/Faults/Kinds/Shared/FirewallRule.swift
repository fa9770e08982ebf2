/// One iptables rule faultline adds in a container's namespace. Every rule carries the fault's
/// ownership mark as a comment, so a revert (or `recover`) deletes exactly what faultline added and
/// never a rule that was there before.
public struct FirewallRule: Sendable, Equatable, Codable {
    /// `INPUT`, `OUTPUT` (or, on a host, `FORWARD`) of `table`.
    public let chain: String
    /// The matches: `["-m", "statistic", "--mode", "random", "--probability", "0.3"]`.
    public let match: [String]
    /// `DROP`, `REJECT`, or (in the nat table) `REDIRECT`.
    public let target: String
    /// The target's own options: `["--to-ports", "40053"]`; nil: none.
    public let targetOptions: [String]?
    /// `nat` for a redirect; nil: the filter table.
    public let table: String?
    /// `faultline:<id>`.
    public let mark: String

    public init(chain: String, match: [String], target: String = "DROP", targetOptions: [String]? = nil, table: String? = nil, mark: String) {
        self.chain = chain
        self.match = match
        self.target = target
        self.targetOptions = targetOptions
        self.table = table
        self.mark = mark
    }

    /// Leaves the container's own loopback traffic alone.
    static func notLoopback(_ chain: String) -> [String] { ["!", chain == "INPUT" ? "-i" : "-o", "lo"] }

    private var specification: [String] { match + ["-m", "comment", "--comment", mark, "-j", target] + (targetOptions ?? []) }
    private var command: [String] { ["iptables", "-w", "5"] + (table.map { ["-t", $0] } ?? []) }

    /// First in the chain, so it decides before any rule that was already there.
    var insert: [String] { command + ["-I", chain, "1"] + specification }
    var check: [String] { command + ["-C", chain] + specification }
    var delete: [String] { command + ["-D", chain] + specification }
}
