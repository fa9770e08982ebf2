import ArgumentParser
import Faults
import FaultlineSupport

/// `inject`'s kind options (`--cpus 0.2`, `--port 5432 --port 53/udp`), read by the kind's one
/// definition: the same checks and messages as a campaign file, options named as typed.
enum KindOptions {
    /// The kind's parameters from the options after KIND and TARGET.
    static func read(_ arguments: [String], for kind: FaultKind) throws -> any FaultParameters {
        do {
            return try kind.definition.read(try texts(arguments, for: kind))
        } catch let error as ParameterError {
            throw ValidationError(message(for: error))
        }
    }

    /// The options as texts by campaign key (`[("cpus", ["0.2"])]`), not yet read by the kind:
    /// what an agent is sent (it reads them with the same definition).
    static func texts(_ arguments: [String], for kind: FaultKind) throws -> [(key: String, texts: [String])] {
        let definition = kind.definition
        // The kind's own options first (http's --port is its key `port`, loss's is `ports`); another
        // kind's option is read only to say it does not apply here.
        let byOption = Dictionary(([kind] + FaultKind.allCases).flatMap { $0.definition.parameters.map { ($0.option, $0.key) } }, uniquingKeysWith: { first, _ in first })
        var given: [(key: String, texts: [String])] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw ValidationError("unexpected argument '\(argument)' (kind options are --NAME VALUE; see `faultline inject --help`)")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let key = byOption[name] else {
                let own = definition.parameters.map(\.option)
                let hint = NameSuggestions.closest(to: name, among: own, limit: 1).first.map { "; did you mean '--\($0)'?" } ?? ""
                let takes = own.isEmpty ? "\(kind.rawValue) takes no kind options" : "\(kind.rawValue) takes \(own.map { "--\($0)" }.joined(separator: ", "))"
                throw ValidationError("unknown option '--\(name)'\(hint) (\(takes); see `faultline inject --help`)")
            }
            let isFlag = definition.parameters.contains { $0.option == name && $0.type.isFlag }
            if value == nil, isFlag, index + 1 == arguments.count || arguments[index + 1].hasPrefix("--") {
                value = "true"  // `--include-main` alone says yes
            }
            if value == nil {
                index += 1
                guard index < arguments.count else { throw ValidationError("missing value for '--\(name)'") }
                value = arguments[index]
            }
            if let existing = given.firstIndex(where: { $0.key == key }) {
                given[existing].texts.append(value!)
            } else {
                given.append((key, [value!]))
            }
            index += 1
        }
        return given
    }

    /// The definition's message with each parameter named as its option (`--memory`).
    static func message(for error: ParameterError) -> String {
        let options = Dictionary(FaultKind.allCases.flatMap { $0.definition.parameters.map { ($0.key, $0.option) } }, uniquingKeysWith: { first, _ in first })
        return error.text.rendered { "--\(options[$0] ?? $0)" }
    }
}
