import Foundation
import FaultlineSupport

/// `${NAME}` and `${NAME:-default}` in a campaign's text values, from the environment, so a file can
/// carry secrets (a token) or machine-specific paths without holding them. `$${` is a literal `${`.
/// `CAMPAIGN_DIR` is the directory of the campaign file unless the environment sets it.
public struct VariableExpansion: Sendable {
    public let variables: [String: String]

    public init(variables: [String: String]) { self.variables = variables }

    /// The process environment plus `CAMPAIGN_DIR` for the campaign file at `file`.
    public static func forCampaign(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> VariableExpansion {
        var variables = environment
        if variables["CAMPAIGN_DIR"] == nil {
            let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
            variables["CAMPAIGN_DIR"] = PathText.directory(of: absolute)
        }
        return VariableExpansion(variables: variables)
    }

    /// The variable names `text` refers to (`${NAME}`, `${NAME:-d}`; not `$${…}`), in order, once each:
    /// what a client sends along with a campaign it submits to the daemon.
    public static func referencedNames(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let dollar = rest.range(of: "${") {
            let escaped = rest[..<dollar.lowerBound].hasSuffix("$")
            rest = rest[dollar.upperBound...]
            guard !escaped else { continue }
            let name = String(rest.prefix { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) })
            if !name.isEmpty, !name.first!.isNumber, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// A reference that cannot be expanded.
    public struct Failure: Error, Equatable {
        public let message: String
    }

    public func expand(_ text: String) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.range(of: "${") {
            let before = rest[..<dollar.lowerBound]
            if before.hasSuffix("$") {
                result += before.dropLast() + "${"
                rest = rest[dollar.upperBound...]
                continue
            }
            result += before
            guard let close = rest[dollar.upperBound...].firstIndex(of: "}") else {
                throw Failure(message: "unclosed '${' (write $${ for a literal ${)")
            }
            let reference = rest[dollar.upperBound..<close]
            let (name, fallback) = Self.split(reference)
            guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }), !name.first!.isNumber else {
                throw Failure(message: "'${\(reference)}' is not a variable reference (letters, digits and _ only)")
            }
            if let value = variables[String(name)], !(fallback != nil && value.isEmpty) {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                throw Failure(message: "environment variable \(name) is not set (export it, or write ${\(name):-default})")
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private static func split(_ reference: Substring) -> (Substring, String?) {
        guard let marker = reference.range(of: ":-") else { return (reference, nil) }
        return (reference[..<marker.lowerBound], String(reference[marker.upperBound...]))
    }
}
