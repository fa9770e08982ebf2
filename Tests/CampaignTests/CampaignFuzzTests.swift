@testable import Campaign
import Foundation
import TestSupport
import Testing

/// Fuzzes the campaign parser with mutations of real campaigns (every file in faults/ and the
/// parser tests' examples): no input may crash it, and every refusal must be a located error
/// (file, line, column) with a message. `FAULTLINE_FUZZ_SECONDS` sets the budget (CI: 5 s; the
/// bench command runs longer).
@Suite struct CampaignFuzzTests {
    static let tokens = [":", ": ", "- ", "{", "}", "[", "]", ",", "\n", "  ", "\t", "#", "&a", "*a", "!!str ", "'", "\"", "|", ">", "---",
                         "${X}", "${", "$${", "0", "-1", "1e309", "999999999999999999999", "1.5", "null", "~", "true", "yes",
                         "target", "for", "at", "pause", "toxic", "partition", "groups", "every", "10ms", "0s", "1h", "peers", "proxy",
                         "probe", "timeout", "🔥", "\u{0}", "<<: *a", "? ", "%YAML 1.2\n"]

    static func corpus() -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let faults = root.appendingPathComponent("faults").path
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: faults)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        return files.compactMap { try? String(contentsOfFile: faults + "/" + $0, encoding: .utf8) }
            + [CampaignParserTests.valid, CampaignParserTests.minimal, ProxyCampaignParserTests.valid]
    }

    @Test func mutatedCampaignsNeverCrashAndErrorsAreLocated() {
        let corpus = Self.corpus()
        #expect(corpus.count > 10)
        var mutator = Mutator(seed: UInt64(Date().timeIntervalSince1970), tokens: Self.tokens)
        let seed = mutator.state
        let variables = VariableExpansion(variables: ["STACK_TOKEN": "t", "CAMPAIGN_DIR": "/x", "X": "1"])
        let end = ContinuousClock.now + Mutator.budget(default: 5)
        var inputs = 0, accepted = 0, unlocated: [String] = []
        while ContinuousClock.now < end {
            var text = corpus[mutator.below(corpus.count)]
            for _ in 0...mutator.below(3) { text = mutator.mutate(text) }
            inputs += 1
            do {
                _ = try CampaignParser.parse(text, file: "fuzz.yaml", variables: variables)
                accepted += 1
            } catch {
                if error.file != "fuzz.yaml" || error.line == nil || error.column == nil || error.message.isEmpty {
                    if unlocated.count < 5 { unlocated.append("\(error.description)\n--- input ---\n\(text.prefix(400))") }
                }
            }
        }
        #expect(inputs > 100, "only \(inputs) inputs in the budget")
        #expect(unlocated.isEmpty, "seed \(seed): refusals without file:line:column:\n\(unlocated.joined(separator: "\n\n"))")
        print("campaign fuzz: \(inputs) inputs (\(accepted) accepted), seed \(seed)")
    }
}
