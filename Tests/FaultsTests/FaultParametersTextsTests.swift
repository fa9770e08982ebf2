@testable import Faults
import FaultlineSupport
import Testing

/// `texts` is the inverse of reading: what a coordinator sends an agent reads back as the same
/// parameters, for every kind, every parameter and values that do not print round.
@Suite struct FaultParametersTextsTests {
    /// Each kind with its required parameters plus one more parameter at a time (examples), and
    /// awkward values: every accepted combination reads back from its texts unchanged.
    @Test func readingTheTextsGivesTheSameParameters() throws {
        var checked = 0
        for kind in FaultKind.allCases {
            let definition = kind.definition
            let required = definition.parameters.filter(\.required).map { (key: $0.key, texts: [$0.example]) }
            var inputs: [[(key: String, texts: [String])]] = [required]
            for parameter in definition.parameters where !parameter.required {
                inputs.append(required + [(parameter.key, [parameter.example])])
            }
            for input in inputs {
                guard let parameters = try? definition.read(input) else { continue }
                let again = try definition.read(parameters.texts)
                #expect(again.isEqualForTest(to: parameters), "\(kind.rawValue): \(input) → \(parameters.texts)")
                checked += 1
            }
        }
        let awkward: [(FaultKind, [(key: String, texts: [String])])] = [
            (.cpu, [("cpus", ["0.333333333"])]),
            (.latency, [("delay", ["1.2345678s"]), ("jitter", ["3us"])]),
            (.memory, [("limit", ["64.5m"])]),
            (.loss, [("probability", ["0.001"]), ("ports", ["53/udp", "80"]), ("direction", ["outbound"])]),
            (.partition, [("peers", ["db", "10.0.0.0/8"]), ("direction", ["inbound"])]),
            (.stop, [("grace", ["1m"])]),
        ]
        for (kind, input) in awkward {
            let parameters = try kind.definition.read(input)
            #expect(try kind.definition.read(parameters.texts).isEqualForTest(to: parameters), "\(kind.rawValue): \(input) → \(parameters.texts)")
            checked += 1
        }
        #expect(checked >= FaultKind.allCases.count + 6)
    }
}

extension FaultParameters {
    func isEqualForTest(to other: any FaultParameters) -> Bool {
        guard let other = other as? Self else { return false }
        return self == other
    }
}
