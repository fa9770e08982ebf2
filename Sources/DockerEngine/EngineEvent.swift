/// One record of the engine's `/events` stream.
public struct EngineEvent: Codable, Sendable, Equatable {
    public let type: String
    public let action: String
    public let actor: Actor
    public let time: Int64?
    public let timeNano: Int64?

    enum CodingKeys: String, CodingKey {
        case type = "Type", action = "Action", actor = "Actor", time, timeNano
    }

    /// The object an event is about.
    public struct Actor: Codable, Sendable, Equatable {
        public let id: String
        public let attributes: [String: String]?
        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }
    }
}
