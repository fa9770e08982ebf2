import ArgumentParser
import Faults
import FaultlineSupport

/// `faultline recover`: reverts every fault a crashed or killed faultline left behind.
struct RecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Revert every open ledger entry whose faultline process is gone, and say what was done; with a fleet, every fault any node's agent holds.")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "One JSON object per recovered fault.") var json = false
    @Flag(name: .long, help: "Also revert faults of faultline processes that are still running.") var all = false
    @OptionGroup var fleet: FleetOption

    func run() async throws {
        if let description = try fleet.load() {
            let ended = try await FleetRecovery(description: description).recover(to: Output(json: json))
            if ended.failures > 0 { throw ExitCode(FaultlineExitCode.infrastructure.rawValue) }
            return
        }
        let context = try await CommandContext.make(global)
        let ledger = try context.ledger(global)
        let report = try await LedgerRecovery(environment: context.environment, ledger: ledger).recover(includeLiveOwners: all)
        let output = Output(json: json)
        RecoveryPrinter.print(report, to: output, quietWhenEmpty: false)
        if !report.failures.isEmpty { throw ExitCode(FaultlineExitCode.infrastructure.rawValue) }
    }
}

/// Prints what recovery did; shared by `recover` and by commands that recover before injecting.
enum RecoveryPrinter {
    static func print(_ report: LedgerRecovery.Report, to output: Output, quietWhenEmpty: Bool) {
        for item in report.reverted {
            let intent = item.entry.intent
            var fields: [String: JSONValue] = [
                "fault_id": .string(item.entry.faultID),
                "kind": .string(intent.kind?.rawValue ?? "?"),
                "target": .string(item.entry.targetName),
                "left_by_pid": intent.owner.map { .integer(Int64($0.pid)) } ?? .null,
            ]
            let text: String
            switch item.result {
            case .success(let outcome):
                fields["outcome"] = .string(outcome.description)
                text = "\(intent.summary ?? "fault") on \(item.entry.targetName) (left by pid \(intent.owner?.pid ?? 0), \(item.entry.status.rawValue)): \(outcome)"
            case .failure(let failure):
                fields["error"] = .string(failure.message)
                text = "\(intent.summary ?? "fault") on \(item.entry.targetName): REVERT FAILED: \(failure.message)"
            }
            output.event("recovered", text, fields: fields)
        }
        for entry in report.skippedLive {
            output.event("left", "\(entry.intent.summary ?? "fault") on \(entry.targetName): owned by running pid \(entry.intent.owner?.pid ?? 0) (use --all to revert it anyway)",
                         fields: ["fault_id": .string(entry.faultID), "owner_pid": .integer(Int64(entry.intent.owner?.pid ?? 0))])
        }
        for line in report.unreadable {
            output.event("unreadable", "ledger line \(line.number) is not a record (a torn write or an edit), skipped: \(line.start)",
                         fields: ["line": .integer(Int64(line.number)), "start": .string(line.start)])
        }
        if report.reverted.isEmpty && report.skippedLive.isEmpty && !quietWhenEmpty {
            if output.json {
                output.line(#"{"event":"nothing-to-recover"}"#)
            } else {
                output.line("nothing to recover: the ledger has no open faults")
            }
        }
    }
}
