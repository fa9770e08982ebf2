@testable import Daemon
import Foundation
import Logging
import NIOCore
import TestSupport
import Testing

/// Fuzzes what the API reads from a request body (JSON submissions and schedules, YAML campaigns
/// inside them) in process: no body may crash the daemon, and every refusal is a 4xx with a
/// message (a crash here was a crash loop under systemd). `FAULTLINE_FUZZ_SECONDS` sets the budget.
@Suite struct DaemonAPIFuzzTests {
    static let campaign = """
        name: fuzzed
        targets:
          db: { name: db }
        timeline:
          - { at: 1s, fault: { bandwidth: { target: db, rate: 1mbit } }, for: 1s }
          - { at: 3s, fault: { stop: { target: db, grace: 2s } }, for: 1s }
        """
    static let tokens = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "null", "true", "-1", "1e99", "1e99mbit", "999999999999s",
                         "\"every\": \"0s\"", "\"cron\": \"* * * * *\"", "\"jitter\": \"1e9s\"", "\"queue\": 1", "\\n", "🔥", "${X}"]

    /// What the API would refuse `body` with, or nil when it is accepted.
    static func refusal(of body: String, schedule: Bool, book: ScheduleBook) async -> APIError? {
        let buffer = ByteBuffer(string: body)
        do {
            if schedule {
                let request = try APIRoutes.decode(ScheduleRequest.self, from: buffer)
                _ = try await book.add(request, environment: [:])
            } else {
                let request = try APIRoutes.decode(SubmitRequest.self, from: buffer)
                _ = try SubmittedCampaign.parse(request.campaign, file: request.file ?? "x.yaml", variables: request.variables, environment: [:])
            }
            return nil
        } catch {
            return error
        }
    }

    @Test func mutatedBodiesNeverCrashAndRefusalsAre4xx() async throws {
        let submit = String(decoding: try JSONSerialization.data(withJSONObject: ["campaign": Self.campaign, "file": "/tmp/f.yaml"]), as: UTF8.self)
        let schedule = String(decoding: try JSONSerialization.data(withJSONObject: ["campaign": Self.campaign, "every": "10m", "jitter": "1m"]),
                              as: UTF8.self)
        var quiet = Logger(label: "fuzz")
        quiet.logLevel = .error
        let path = NSTemporaryDirectory() + "fl-fuzz-schedules-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let book = ScheduleBook(path: path, logger: quiet)
        var mutator = Mutator(seed: UInt64(Date().timeIntervalSince1970), tokens: Self.tokens)
        let seed = mutator.state
        let end = ContinuousClock.now + Mutator.budget(default: 3)
        var inputs = 0, bad: [String] = []
        while ContinuousClock.now < end {
            let isSchedule = mutator.below(2) == 0
            var body = isSchedule ? schedule : submit
            for _ in 0...mutator.below(3) { body = mutator.mutate(body) }
            inputs += 1
            if let error = await Self.refusal(of: body, schedule: isSchedule, book: book),
               !(400..<500).contains(error.status) || error.message.isEmpty, bad.count < 5 {
                bad.append("\(error.status) \(error.message): \(body.prefix(300))")
            }
        }
        #expect(inputs > 50, "only \(inputs) inputs in the budget")
        #expect(bad.isEmpty, "seed \(seed): refusals that are not a 4xx with a message:\n\(bad.joined(separator: "\n"))")
        print("daemon API fuzz: \(inputs) inputs, seed \(seed)")
    }
}
