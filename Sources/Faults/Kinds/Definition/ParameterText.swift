/// A message about fault parameters that names them the way the reader wrote them: `--memory` on
/// the command line, `'limit'` in a campaign file. Written once with `\(parameter: "limit")`.
public struct ParameterText: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case text(String)
        case parameter(String)
    }

    var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { if !literal.isEmpty { parts.append(.text(literal)) } }
        public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text("\(value)")) }
        /// A parameter by its campaign key; each reader names it its own way.
        public mutating func appendInterpolation(parameter key: String) { parts.append(.parameter(key)) }
    }

    /// The text with each parameter named by `name` (given the campaign key).
    public func rendered(naming name: (String) -> String) -> String {
        parts.map { part in
            switch part {
            case .text(let text): return text
            case .parameter(let key): return name(key)
            }
        }.joined()
    }

    /// The text without a leading mention of `key` (for a reader whose location names it already):
    /// `'cpus' must be …` becomes `must be …`, `'signal': unknown …` becomes `unknown …`.
    public func droppingLeading(parameter key: String) -> ParameterText {
        guard case .parameter(key)? = parts.first else { return self }
        var copy = self
        copy.parts.removeFirst()
        if case .text(let rest)? = copy.parts.first {
            copy.parts[0] = .text(rest.hasPrefix(": ") ? String(rest.dropFirst(2)) : rest.hasPrefix(" ") ? String(rest.dropFirst()) : rest)
        }
        return copy
    }

    /// The text with parameters as campaign keys in quotes.
    public var description: String { rendered { "'\($0)'" } }
}
