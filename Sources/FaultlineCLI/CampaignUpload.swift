import ArgumentParser
import Campaign
import Foundation

/// A campaign file as the CLI hands it to the daemon: its text, its absolute path (the daemon sets
/// `${CAMPAIGN_DIR}` from it) and this shell's values of the variables the text refers to.
struct CampaignUpload {
    let text: String
    let path: String
    let variables: [String: String]

    init(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
        text = String(decoding: data, as: UTF8.self)
        path = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        var variables: [String: String] = [:]
        for name in VariableExpansion.referencedNames(in: text) { variables[name] = environment[name] }
        self.variables = variables
    }
}
