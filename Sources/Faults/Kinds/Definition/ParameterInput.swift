import FaultlineSupport

/// The values given for one kind's parameters, each read and checked by its type; what a
/// `FaultParameters` type builds itself from.
public struct ParameterInput: Sendable {
    private let values: [String: [ParameterValue]]

    /// Reads raw texts by campaign key. Refuses, in one line each: a key no parameter of the kind
    /// has (with the kind's parameters, or a close name), a single-valued parameter given twice,
    /// an empty list, a value its type refuses, and a missing required parameter.
    public static func read<Kind: FaultParameters>(_ given: [(key: String, texts: [String])], for definition: Kind.Type) throws(ParameterError) -> ParameterInput {
        let parameters = Kind.parameters
        var values: [String: [ParameterValue]] = [:]
        for (key, texts) in given {
            guard let parameter = parameters.first(where: { $0.key == key }) else {
                throw ParameterError(key: key, notApplicable(key, to: Kind.self))
            }
            guard values[key] == nil, parameter.repeatable || texts.count == 1 else {
                throw ParameterError(key: key, "\(parameter: key) takes one value (\(parameter.helpLine))")
            }
            guard !texts.isEmpty else { throw ParameterError(key: key, "\(parameter: key) must name at least one value (e.g. \(parameter.example))") }
            var read: [ParameterValue] = []
            for (index, text) in texts.enumerated() {
                read.append(try parameter.read(text, index: parameter.repeatable ? index : nil))
            }
            values[key] = read
        }
        for parameter in parameters where parameter.required && values[parameter.key] == nil {
            throw ParameterError(key: nil, "\(Kind.kindName) needs \(parameter: parameter.key) (\(parameter.helpLine))")
        }
        return ParameterInput(values: values)
    }

    /// `--cpus does not apply to pause faults (pause takes no parameters)`.
    static func notApplicable<Kind: FaultParameters>(_ key: String, to definition: Kind.Type) -> ParameterText {
        let own = Kind.parameters.map(\.key)
        var text: ParameterText = "\(parameter: key) does not apply to \(Kind.kindName) faults"
        let known = FaultKind.allCases.flatMap { $0.definition.parameters.map(\.key) }
        if !known.contains(key), let close = NameSuggestions.closest(to: key, among: own, limit: 1).first {
            text.parts += ParameterText("; did you mean \(parameter: close)?").parts
        }
        if own.isEmpty {
            text.parts += ParameterText(" (\(Kind.kindName) takes no parameters)").parts
        } else {
            text.parts.append(.text(" (\(Kind.kindName) takes "))
            for (index, name) in own.enumerated() {
                if index > 0 { text.parts.append(.text(", ")) }
                text.parts.append(.parameter(name))
            }
            text.parts.append(.text(")"))
        }
        return text
    }

    public func given(_ key: String) -> Bool { values[key] != nil }

    public func number(_ key: String) -> Double? {
        if case .number(let value)? = values[key]?.first { return value }
        return nil
    }

    public func duration(_ key: String) -> Duration? {
        if case .duration(let value)? = values[key]?.first { return value }
        return nil
    }

    public func seconds(_ key: String) -> Int? {
        if case .seconds(let value)? = values[key]?.first { return value }
        return nil
    }

    public func bytes(_ key: String) -> Int64? {
        if case .bytes(let value)? = values[key]?.first { return value }
        return nil
    }

    public func text(_ key: String) -> String? { texts(key)?.first }

    public func flag(_ key: String) -> Bool? {
        if case .flag(let value)? = values[key]?.first { return value }
        return nil
    }

    /// Every text of a list parameter; nil when it was not given.
    public func texts(_ key: String) -> [String]? {
        values[key]?.compactMap { value in
            if case .text(let text) = value { return text }
            return nil
        }
    }
}
