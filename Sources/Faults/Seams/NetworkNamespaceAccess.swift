/// Runs network tools (`iptables`, `tc`, `ip`) inside a container's network namespace: what the
/// network faults act through. A narrow seam, so their unit tests pass a recording fake.
public protocol NetworkNamespaceAccess: Sendable {
    /// Runs `argv` in the network namespace of host process `pid` and returns how it ended.
    func run(_ argv: [String], inNetworkNamespaceOf pid: Int) throws -> CommandResult
    /// Whether this kernel has the `netem` qdisc (latency, jitter); checked once, in a throw-away namespace.
    func kernelHasNetem() -> Bool
}

/// How a command ended.
public struct CommandResult: Sendable, Equatable {
    public let status: Int32
    public let output: String

    public init(status: Int32, output: String) {
        self.status = status
        self.output = output
    }

    public var succeeded: Bool { status == 0 }
}
