import FaultlineCLI
import Fixtures
import ArgumentParser
import FaultlineSupport

/// `--gate`: a benchmark's regression criteria, checked after its figures are printed; the
/// command fails (exit 1) naming every criterion missed. CI runs short benchmarks this way. The
/// criteria compare faultline with what it is measured against in the same run, or hold it to a
/// bound with room for a slow machine, so noise alone does not fail them.
struct BenchmarkGate {
    private(set) var missed: [String] = []
    private(set) var held: [String] = []

    /// Records `criterion` as held or missed; `figures` says what was measured.
    mutating func require(_ condition: Bool, _ criterion: String, figures: String) {
        if condition { held.append("\(criterion) (\(figures))") } else { missed.append("\(criterion): \(figures)") }
    }

    /// Prints the outcome and throws exit code 1 when a criterion was missed.
    func finish(_ benchmark: String) throws {
        for line in held { Output.note("gate \(benchmark): held: \(line)") }
        guard missed.isEmpty else {
            for line in missed { Output.note("gate \(benchmark): MISSED: \(line)") }
            throw ExitCode(1)
        }
    }
}
