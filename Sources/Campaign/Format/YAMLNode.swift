import FaultlineSupport
import Yams

/// A YAML node with where it came from, for strict reading with located errors: every unknown
/// key is an error naming the allowed keys, every bad value names the expected form.
struct YAMLNode {
    let node: Node
    let path: String
    let file: String
    /// Expands `${NAME}` in text values.
    let variables: VariableExpansion

    static func parse(_ text: String, file: String, variables: VariableExpansion) throws(CampaignError) -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw CampaignError(file: file, line: 1, column: 1, path: "", message: "the file is empty")
            }
            return YAMLNode(node: node, path: "", file: file, variables: variables)
        } catch let error as CampaignError {
            throw error
        } catch let error as YamlError {
            throw Self.located(error, file: file)
        } catch {
            throw CampaignError(file: file, line: 1, column: 1, path: "", message: "not valid YAML: \(error)")
        }
    }

    /// Every YAML error with a line and column: the reader's byte offset is turned into one, and
    /// errors without a place point at the start of the file.
    static func located(_ error: YamlError, file: String) -> CampaignError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return CampaignError(file: file, line: mark.line, column: mark.column, path: "", message: "not valid YAML: \(problem)")
        case .reader(let problem, let offset, let value, let yaml):
            let (line, column) = position(ofByte: offset ?? 0, in: yaml)
            let byte = value >= 0 ? String(format: " (byte 0x%02X)", value) : ""
            return CampaignError(file: file, line: line, column: column, path: "", message: "not valid YAML: \(problem)\(byte)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return CampaignError(file: file, line: context.mark.line, column: context.mark.column, path: "",
                                 message: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return CampaignError(file: file, line: 1, column: 1, path: "", message: "not valid YAML: \(error)")
        }
    }

    /// Line and column (1-based, column in characters) of a byte offset.
    static func position(ofByte offset: Int, in text: String) -> (Int, Int) {
        let prefix = String(decoding: text.utf8.prefix(max(0, offset)), as: UTF8.self)
        let lines = prefix.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.count, (lines.last?.count ?? 0) + 1)
    }

    func error(_ message: String) -> CampaignError {
        CampaignError(file: file, line: node.mark?.line, column: node.mark?.column, path: path, message: message)
    }

    func child(_ node: Node, _ component: String) -> YAMLNode {
        YAMLNode(node: node, path: path.isEmpty ? component : (component.hasPrefix("[") ? path + component : path + "." + component), file: file, variables: variables)
    }

    // MARK: - Shapes

    /// The mapping's entries, refusing keys outside `allowed` (with a did-you-mean).
    func mapping(allowed: [String]) throws(CampaignError) -> [String: YAMLNode] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping with keys: \(allowed.joined(separator: ", "))") }
        var entries: [String: YAMLNode] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw child(keyNode, "?").error("keys must be text") }
            guard allowed.contains(key) else {
                let suggestion = NameSuggestions.closest(to: key, among: allowed, limit: 1).first
                let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
                throw YAMLNode(node: keyNode, path: path.isEmpty ? key : "\(path).\(key)", file: file, variables: variables)
                    .error("unknown key '\(key)'\(hint) (allowed: \(allowed.joined(separator: ", ")))")
            }
            entries[key] = child(value, key)
        }
        return entries
    }

    /// The mapping's entries in file order, any keys (the caller checks them; `expecting` is what
    /// the message names when the node is not a mapping).
    func keyedEntries(expecting keys: [String]) throws(CampaignError) -> [(key: String, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping with keys: \(keys.joined(separator: ", "))") }
        var entries: [(key: String, value: YAMLNode)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw child(keyNode, "?").error("keys must be text") }
            entries.append((key, child(value, key)))
        }
        return entries
    }

    /// A mapping whose keys are free names (targets by name).
    func namedMapping() throws(CampaignError) -> [(String, YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping of names to definitions") }
        var entries: [(String, YAMLNode)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string, !key.isEmpty else { throw child(keyNode, "?").error("names must be text") }
            entries.append((key, child(value, key)))
        }
        return entries
    }

    /// Exactly one of `allowed` keys: a tagged choice like `fault: { pause: {...} }`.
    func oneOf(_ allowed: [String], what: String) throws(CampaignError) -> (String, YAMLNode) {
        let entries = try mapping(allowed: allowed)
        guard entries.count == 1, let only = entries.first else {
            throw error(entries.isEmpty ? "give one \(what): \(allowed.joined(separator: ", "))"
                                        : "give only one \(what), not \(entries.keys.sorted().joined(separator: " and "))")
        }
        return (only.key, only.value)
    }

    func sequence() throws(CampaignError) -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list") }
        return sequence.enumerated().map { child($0.element, "[\($0.offset)]") }
    }

    var isNull: Bool {
        if case .scalar(let scalar) = node { return scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" }
        return false
    }

    // MARK: - Scalars

    /// The scalar's text with `${NAME}` references expanded.
    func string() throws(CampaignError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected text") }
        do {
            return try variables.expand(scalar.string)
        } catch {
            throw self.error(error.message)
        }
    }

    func nonEmptyString() throws(CampaignError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw error("must not be empty") }
        return text
    }

    func int(in range: ClosedRange<Int>? = nil) throws(CampaignError) -> Int {
        guard case .scalar = node, let value = Int(try string()) else { throw error("expected a whole number") }
        if let range, !range.contains(value) { throw error("\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return value
    }

    func double(in range: ClosedRange<Double>? = nil) throws(CampaignError) -> Double {
        guard case .scalar = node, let value = Double(try string()) else { throw error("expected a number") }
        if let range, !range.contains(value) { throw error("\(value) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return value
    }

    func bool() throws(CampaignError) -> Bool {
        guard case .scalar = node else { throw error("expected true or false") }
        let text = try string()
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, not '\(text)'")
        }
    }

    func duration(allowZero: Bool = false) throws(CampaignError) -> Duration {
        let text = try string()
        do {
            let value = try DurationText.parse(text)
            if !allowZero && value == .zero { throw error("must be longer than 0") }
            return value
        } catch let parse as DurationText.ParseError {
            throw error(parse.description)
        } catch let located as CampaignError {
            throw located
        } catch {
            throw self.error("\(error)")
        }
    }

    func stringList() throws(CampaignError) -> [String] {
        if case .scalar = node { return [try string()] }
        return try sequence().map { node throws(CampaignError) in try node.string() }
    }

    func choice(_ allowed: [String]) throws(CampaignError) -> String {
        let text = try string()
        guard allowed.contains(text) else {
            let hint = NameSuggestions.closest(to: text, among: allowed, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            throw error("'\(text)' is not allowed\(hint) (allowed: \(allowed.joined(separator: ", ")))")
        }
        return text
    }
}
