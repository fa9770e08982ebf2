import ArgumentParser
import Campaign
@testable import FaultlineCLI
import FaultProxy
import FaultlineSupport
import Foundation
import TestSupport
import Testing

/// Values that validation used to accept and a run then trapped on (a daemon crash loop, exit
/// 132), or that hung: refused at parse time, with the allowed range, on every path.
@Suite struct InputBoundsTests {
    func injectError(_ arguments: [String]) -> String? {
        do {
            _ = try InjectCommand.parse(arguments).validatedPlan()
            return nil
        } catch {
            let (code, message) = FaultlineMain.classify(error)
            #expect(code == 2, "invalid input must exit 2: \(arguments)")
            return message ?? InjectCommand.message(for: error)
        }
    }

    func campaignError(_ fault: String) -> String? {
        let text = """
            name: bounds
            targets:
              db: { name: db }
            timeline:
              - { at: 1s, fault: \(fault), for: 1s }
            """
        do {
            _ = try CampaignParser.parse(text, file: "bounds.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    // A rate past 100gbit (1e99mbit trapped converting the tbf burst) is refused by the CLI, the
    // campaign parser and the proxy's toxic parser alike, naming the range.
    @Test func refusesRatesOutOfRange() throws {
        for rate in ["1e99mbit", "1e15gbit", "inf" + "mbit", "0.0001bit"] {
            #expect(injectError(["bandwidth", "x", "--for", "1s", "--rate", rate])?.contains("8bit … 100gbit") == true, "\(rate)")
            #expect(campaignError("{ bandwidth: { target: db, rate: \"\(rate)\" } }")?.contains("8bit … 100gbit") == true, "\(rate)")
            #expect(throws: ToxicSpecError.self) { _ = try Toxic.parse("bandwidth=\(rate)") }
        }
        #expect(throws: ToxicSpecError.self) { _ = try Toxic.parse("bandwidth=99999999999999999") }
        #expect(injectError(["bandwidth", "x", "--for", "1s", "--rate", "100gbit"]) == nil)
        #expect(campaignError("{ bandwidth: { target: db, rate: 1mbit } }") == nil)
    }

    // A grace past an hour (999999999999 s held the command for ever, deaf to SIGINT) is refused.
    @Test func refusesGraceOutOfRange() {
        #expect(injectError(["restart", "x", "--grace", "999999999999"])?.contains("0 … 3600 seconds") == true)
        #expect(injectError(["stop", "x", "--for", "1s", "--grace", "-1"])?.contains("0 … 3600 seconds") == true)
        #expect(injectError(["stop", "x", "--for", "1s", "--grace", "3600"]) == nil)
        #expect(campaignError("{ stop: { target: db, grace: 2h } }")?.contains("must be 0 … 3600 seconds") == true)
    }

    // Negative values reach their own check (not "Missing value"); a number is not a signal name;
    // (a CPU limit above the host's CPUs is refused where the fault is prepared: CPUFaultTests).
    @Test func namesTheRealProblem() {
        #expect(injectError(["memory", "x", "--for", "1s", "--memory", "-1m"])?.contains("invalid size '-1m'") == true)
        #expect(injectError(["loss", "x", "--for", "1s", "--probability", "-0.5"])?.contains("--probability must be 0.001 … 1") == true)
        let zero = injectError(["kill", "x", "--signal", "0"])
        #expect(zero?.contains("unknown signal '0'") == true && zero?.contains("SIGIO") == false, "\(zero ?? "")")
    }

    // Random option values for every kind never trap: each is accepted or refused in one line.
    @Test func fuzzedOptionValuesNeverTrap() {
        let values = ["0", "-1", "1", "0.5", "1e99", "-1e99", "nan", "inf", "9999999999999999999999", "1e15gbit", "1e99mbit", "64m", "-1m",
                      "0s", "1e9s", "99999999999h", "", " ", "\u{0}", "SIGKILL", "0x10", "53/udp", "65536", "1/tcp", "a", "both", "1.5mbit"]
        let kinds = ["pause", "stop", "restart", "kill", "cpu", "memory", "partition", "loss", "blackhole", "bandwidth", "latency"]
        let options = ["--for", "--cpus", "--memory", "--signal", "--grace", "--probability", "--port", "--direction", "--rate", "--delay", "--jitter"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var arguments = [kinds.randomElement(using: &generator)!, "x"]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                arguments += [options.randomElement(using: &generator)!, values.randomElement(using: &generator)!]
            }
            if let message = injectError(arguments) { #expect(!message.isEmpty, "\(arguments)") }
            for value in values.prefix(12) { _ = try? Toxic.parse("bandwidth=\(value)"); _ = try? Toxic.parse("latency=\(value)") }
        }
    }
}
