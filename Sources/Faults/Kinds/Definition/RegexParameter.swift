/// A parameter that is a regular expression (dns names, process-kill pattern, http and websocket
/// paths): refused in one line naming it when Swift's `Regex` cannot read it.
enum RegexParameter {
    /// `part`: what of the parameter is the expression ("value" of `Name: regex`); nil: all of it.
    static func check(_ text: String?, key: String, part: String? = nil) throws(ParameterError) {
        guard let text else { return }
        do { _ = try Regex(text) } catch {
            throw ParameterError(key: key, "\(parameter: key)\(part.map { "'s \($0)" } ?? "") is not a regular expression: '\(text)' (\(String(describing: error)))")
        }
    }
}
