import ArgumentParser
import FaultlineCLI

/// One benchmark: it runs bounded in count and time, side by side with what faultline is compared
/// against; its report is the table the README quotes; its gate is the regression criteria CI
/// holds it to. Each lives in one file with the command that builds it.
protocol Benchmark: Sendable {
    associatedtype Figures
    /// The name its gate lines carry (`engine`).
    static var name: String { get }
    func run() async throws -> Figures
    func report(_ figures: Figures) -> String
    func gate(_ figures: Figures) -> BenchmarkGate
}

extension Benchmark {
    /// Runs it, prints the report and, with `gate`, fails (exit 1) naming every missed criterion.
    @discardableResult
    func measure(gate: Bool) async throws -> Figures {
        let figures = try await run()
        Output(json: false).line(report(figures))
        if gate { try self.gate(figures).finish(Self.name) }
        return figures
    }
}

/// `--gate`, which every benchmark command takes.
struct GateOption: ParsableArguments {
    @Flag(name: .long, help: "Fail (exit 1) when the benchmark's regression criteria are missed (CI runs short benchmarks this way).")
    var gate = false
}
