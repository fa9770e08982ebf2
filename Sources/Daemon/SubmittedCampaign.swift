import Campaign

/// A campaign as a client hands it to the daemon: parsed with the variables it refers to (the
/// client's values over the daemon's environment, `CAMPAIGN_DIR` from the client's path), or
/// refused with a located 400. What runs and schedules both accept.
enum SubmittedCampaign {
    static func parse(_ text: String, file: String, variables given: [String: String]?,
                      environment: [String: String]) throws(APIError) -> CampaignDefinition {
        var variables = VariableExpansion.forCampaign(file: file, environment: environment).variables
        for (name, value) in given ?? [:] { variables[name] = value }
        do {
            return try CampaignParser.parse(text, file: file, variables: VariableExpansion(variables: variables))
        } catch {
            throw APIError.campaign(error)
        }
    }
}
