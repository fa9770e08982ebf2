import Foundation

/// One Swarm node as `GET /nodes/{id}` gives it, kept whole enough to change one field of its
/// spec and send the rest back untouched: a manager replaces a node's whole spec on update, so a
/// spec rebuilt from known fields would drop labels or fields a newer engine added.
public struct SwarmNodeSpec: Sendable, Equatable {
    public let id: String
    public let hostname: String
    /// The spec's version: an update names it, and the manager refuses one made on an older spec.
    public let version: Int
    /// `active`, `pause` or `drain`.
    public let availability: String
    public let labels: [String: String]
    /// The spec as the manager sent it (a JSON object).
    public let spec: [UInt8]

    public init(id: String, hostname: String, version: Int, availability: String, labels: [String: String] = [:], spec: [UInt8]) {
        self.id = id
        self.hostname = hostname
        self.version = version
        self.availability = availability
        self.labels = labels
        self.spec = spec
    }

    /// Its host name, or its id when the manager gives none.
    public var name: String { hostname.isEmpty ? id : hostname }

    /// Reads the manager's answer; throws for one that is not a node (no ID, version or spec).
    public init(json body: [UInt8]) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let id = object["ID"] as? String,
              let version = (object["Version"] as? [String: Any])?["Index"] as? Int,
              let spec = object["Spec"] as? [String: Any] else {
            throw SwarmNodeSpecError("the answer has no ID, Version.Index or Spec")
        }
        self.id = id
        self.version = version
        availability = spec["Availability"] as? String ?? "active"
        labels = spec["Labels"] as? [String: String] ?? [:]
        hostname = ((object["Description"] as? [String: Any])?["Hostname"] as? String) ?? ""
        self.spec = Array(try JSONSerialization.data(withJSONObject: spec))
    }

    /// The spec with only its availability changed.
    public func spec(withAvailability availability: String) throws -> [UInt8] {
        guard var object = try JSONSerialization.jsonObject(with: Data(spec)) as? [String: Any] else {
            throw SwarmNodeSpecError("the node's spec is not a JSON object")
        }
        object["Availability"] = availability
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }
}

/// A node answer or spec that could not be read.
public struct SwarmNodeSpecError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
