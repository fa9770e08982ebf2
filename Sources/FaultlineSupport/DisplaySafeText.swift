extension String {
    /// The text with every control character (C0 but tab and, if `keepNewlines`, newline; DEL; C1)
    /// replaced by U+FFFD: what a container name, a probe's error or an engine message may carry
    /// must not move a terminal's cursor, forge a line or break an XML report.
    public func replacingControlCharacters(keepNewlines: Bool = false) -> String {
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            let value = scalar.value
            let control = value < 0x20 || (0x7f...0x9f).contains(value) || value == 0xfffe || value == 0xffff
            if control && value != 0x09 && !(keepNewlines && value == 0x0a) {
                out.append("\u{FFFD}")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
