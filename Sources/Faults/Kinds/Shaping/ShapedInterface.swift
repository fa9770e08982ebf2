/// A root qdisc faultline added on one interface of a container, under its reserved handle.
public struct ShapedInterface: Sendable, Equatable, Codable {
    /// The reserved root handle: a qdisc with it is faultline's, any other is left alone.
    public static let handle = "fa17:"

    public let interface: String
    /// `tbf rate 1mbit burst 32kb latency 400ms` or `netem delay 200ms 50ms`.
    public let qdisc: [String]

    public init(interface: String, qdisc: [String]) {
        self.interface = interface
        self.qdisc = qdisc
    }

    /// Whether `tc qdisc show … root` output names faultline's handle.
    static func isOurs(_ rootQdisc: String) -> Bool { (rootQdisc + " ").contains(" \(handle) ") }

    var add: [String] { ["tc", "qdisc", "add", "dev", interface, "root", "handle", Self.handle] + qdisc }
    var show: [String] { ["tc", "qdisc", "show", "dev", interface, "root"] }
    var delete: [String] { ["tc", "qdisc", "del", "dev", interface, "root", "handle", Self.handle] }
}
