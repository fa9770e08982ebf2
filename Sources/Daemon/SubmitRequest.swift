/// A campaign submitted to the daemon: its text, where the client read it (for `${CAMPAIGN_DIR}`
/// and reports), the values of the variables it refers to, and whether to wait behind a
/// conflicting run instead of being refused.
public struct SubmitRequest: Codable, Sendable {
    public var campaign: String
    public var file: String?
    public var variables: [String: String]?
    public var queue: Bool?

    public init(campaign: String, file: String? = nil, variables: [String: String]? = nil, queue: Bool? = nil) {
        self.campaign = campaign
        self.file = file
        self.variables = variables
        self.queue = queue
    }
}
