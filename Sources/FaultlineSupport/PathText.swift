/// Path arithmetic on plain strings. Foundation's `NSString.deletingLastPathComponent` traps on
/// some inputs (a name that is one character outside the Basic Multilingual Plane crashed the
/// daemon: a submitted campaign's `file` reaches it), so paths that come from outside go through here.
public enum PathText {
    /// The directory holding `path`: `/a/b.yaml` → `/a`, `/b.yaml` → `/`, `b.yaml` → `.`;
    /// trailing slashes are ignored (`/a/b/` → `/a`).
    public static func directory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        let directory = trimmed[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }
}
