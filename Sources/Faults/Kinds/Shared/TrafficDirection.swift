/// Which traffic of a container a network fault acts on.
public enum TrafficDirection: String, Sendable, Codable, CaseIterable {
    /// Packets arriving at the container (iptables INPUT).
    case inbound
    /// Packets the container sends (iptables OUTPUT).
    case outbound
    case both

    var chains: [String] {
        switch self {
        case .inbound: return ["INPUT"]
        case .outbound: return ["OUTPUT"]
        case .both: return ["INPUT", "OUTPUT"]
        }
    }

    public static var allowedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
