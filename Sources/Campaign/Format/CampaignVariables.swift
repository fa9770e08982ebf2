/// Which `${NAME}` variables a campaign refers to and whether each was set when it was parsed —
/// names only, never values (they may be secrets) — and the campaign directory it was read from.
/// The journal keeps it, so `replay` asks for the variables the run had instead of quietly taking
/// a default (or failing on a name) where today's environment differs.
public struct CampaignVariables: Sendable, Equatable, Codable {
    /// Referenced and set (their values expanded into the run).
    public var set: [String]
    /// Referenced and not set (the run used the `:-default`).
    public var unset: [String]
    /// `CAMPAIGN_DIR` as the run had it (a path, not a secret).
    public var campaignDirectory: String?

    public init(set: [String] = [], unset: [String] = [], campaignDirectory: String? = nil) {
        self.set = set
        self.unset = unset
        self.campaignDirectory = campaignDirectory
    }

    /// The variables `text` refers to, as `expansion` has them.
    public static func of(_ text: String, expansion: VariableExpansion) -> CampaignVariables {
        let names = VariableExpansion.referencedNames(in: text)
        return CampaignVariables(set: names.filter { expansion.variables[$0] != nil }, unset: names.filter { expansion.variables[$0] == nil },
                                 campaignDirectory: expansion.variables["CAMPAIGN_DIR"])
    }

    /// A variable the run had that today's environment lacks.
    public struct Missing: Error, CustomStringConvertible {
        public let names: [String]
        public var description: String {
            "the run had \(names.map { "${\($0)}" }.joined(separator: ", ")) set, and this environment does not: export \(names.count == 1 ? "it" : "them") "
                + "(values are never recorded, only which variables were set)"
        }
    }

    /// What a replay expands the recorded campaign with: today's environment for the variables the
    /// run had set (all must be set again), without the ones the run did not have (so their
    /// defaults apply, as they did), and `CAMPAIGN_DIR` as the run had it. `notes` says where
    /// today's environment was overruled.
    public func replayExpansion(today: [String: String]) throws(Missing) -> (expansion: VariableExpansion, notes: [String]) {
        let missing = set.filter { $0 != "CAMPAIGN_DIR" && today[$0] == nil }
        guard missing.isEmpty else { throw Missing(names: missing) }
        var variables = today
        var notes: [String] = []
        for name in unset where variables[name] != nil {
            variables[name] = nil
            notes.append("${\(name)} is set now but was not for the run: its default is used, as in the run")
        }
        if let campaignDirectory { variables["CAMPAIGN_DIR"] = campaignDirectory }
        return (VariableExpansion(variables: variables), notes)
    }
}
