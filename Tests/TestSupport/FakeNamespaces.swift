import Faults
import Synchronization

/// A recording stand-in for a container's network namespace: keeps the iptables rules and root
/// qdiscs the commands add and remove, and answers `-C`, `ip link` and `tc qdisc show` from them.
public final class FakeNamespaces: NetworkNamespaceAccess {
    public struct State {
        public var commands: [String] = []
        public var rules: [[String]] = []
        public var roots: [String: String] = ["eth0": "qdisc noqueue 0: root refcnt 2"]
        public var netem = false
        public var failing: String?
        public var failingOutput = "refused by the test"
    }
    public let state = Mutex(State())

    public init() {}

    public var commands: [String] { state.withLock { $0.commands } }
    public var rules: [[String]] { state.withLock { $0.rules } }
    public func root(_ interface: String) -> String? { state.withLock { $0.roots[interface] } }
    public func setRoot(_ interface: String, _ qdisc: String) { state.withLock { $0.roots[interface] = qdisc } }
    /// A restart: the namespace is made anew (the rules a test put there before the faults stay).
    public func makeAnew() { state.withLock { $0.rules.removeAll { rule in rule.contains { $0.hasPrefix("faultline:") } } } }
    public func failCommands(containing text: String, output: String = "refused by the test") {
        state.withLock {
            $0.failing = text
            $0.failingOutput = output
        }
    }

    public func kernelHasNetem() -> Bool { state.withLock { $0.netem } }

    public func run(_ argv: [String], inNetworkNamespaceOf pid: Int) throws -> CommandResult {
        state.withLock { state in
            let line = argv.joined(separator: " ")
            state.commands.append("\(pid): \(line)")
            if let failing = state.failing, line.contains(failing) { return CommandResult(status: 1, output: state.failingOutput) }
            switch (argv.first, argv.dropFirst().first) {
            case ("ip", _):
                let links = ["1: lo: <LOOPBACK,UP> mtu 65536"] + state.roots.keys.sorted().enumerated().map { "\($0 + 2): \($1)@if9: <BROADCAST,UP> mtu 1500" }
                return CommandResult(status: 0, output: links.joined(separator: "\n"))
            case ("iptables", _):
                // iptables -w 5 [-t TABLE] -I CHAIN 1 SPEC… | -C/-D CHAIN SPEC…: a rule is its chain and
                // spec (after `-t TABLE` for a table other than filter).
                var words = Array(argv.dropFirst(3)), table: [String] = []
                if words.first == "-t", words.count > 2 {
                    table = ["-t", words[1]]
                    words.removeFirst(2)
                }
                let action = words[0], rule = table + (action == "-I" ? [words[1]] + words[3...] : Array(words[1...]))
                switch action {
                case "-I":
                    state.rules.insert(rule, at: 0)
                    return CommandResult(status: 0, output: "")
                case "-C":
                    return CommandResult(status: state.rules.contains(rule) ? 0 : 1, output: state.rules.contains(rule) ? "" : "Bad rule")
                case "-D":
                    guard let index = state.rules.firstIndex(of: rule) else { return CommandResult(status: 1, output: "Bad rule") }
                    state.rules.remove(at: index)
                    return CommandResult(status: 0, output: "")
                default: return CommandResult(status: 2, output: "unknown action")
                }
            case ("tc", _):
                let interface = argv[4]
                switch argv[2] {
                case "show": return CommandResult(status: 0, output: state.roots[interface] ?? "")
                case "add":
                    state.roots[interface] = "qdisc \(argv[8]) \(argv[7]) root refcnt 2"
                    return CommandResult(status: 0, output: "")
                case "del":
                    state.roots[interface] = "qdisc noqueue 0: root refcnt 2"
                    return CommandResult(status: 0, output: "")
                default: return CommandResult(status: 2, output: "unknown tc command")
                }
            default:
                return CommandResult(status: 127, output: "unknown program")
            }
        }
    }
}
