/// Finds the names closest to a mistyped one, for "did you mean" hints.
public enum NameSuggestions {
    /// Up to `limit` candidates within a small edit distance of `name`, closest first;
    /// candidates that contain `name` (or are contained in it) count as close too.
    public static func closest(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        let needle = name.lowercased()
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let hay = candidate.lowercased()
            let distance = editDistance(needle, hay)
            let threshold = max(2, needle.count / 3)
            if distance <= threshold { return (candidate, distance) }
            if !needle.isEmpty, hay.contains(needle) || needle.contains(hay) { return (candidate, threshold + 1) }
            return nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    /// Levenshtein distance between two strings, by characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
