/// The Mann–Whitney rank test, one-sided: do the candidate's values tend to be larger than the
/// base's? Distribution-free, so it suits recovery figures (skewed, with outliers) over a handful
/// of trials. The p-value is exact: the null distribution of U is counted (`nullCounts`), not
/// approximated. A tie counts half a pair; U is then rounded down before the tail is read, which
/// can only make p larger (the test conservative), never smaller.
public enum RankTest {
    /// U = pairs (base b, candidate c) with c > b, plus half the ties.
    public static func u(base: [Double], candidate: [Double]) -> Double {
        var u = 0.0
        for c in candidate {
            for b in base { u += c > b ? 1 : c == b ? 0.5 : 0 }
        }
        return u
    }

    /// P(U ≥ observed U) when base and candidate come from one distribution; 1 when a side is empty.
    public static func pGreater(base: [Double], candidate: [Double]) -> Double {
        guard !base.isEmpty, !candidate.isEmpty else { return 1 }
        let counts = nullCounts(m: candidate.count, n: base.count)
        let observed = Int(u(base: base, candidate: candidate).rounded(.down))
        let total = counts.reduce(0, +)
        return min(1, counts[observed...].reduce(0, +) / total)
    }

    /// The smallest p-value `pGreater` can give for these sizes (every candidate above every base):
    /// 1 / C(m+n, m). Three trials a side can reach 0.05; fewer cannot.
    public static func smallestP(m: Int, n: Int) -> Double {
        guard m > 0, n > 0 else { return 1 }
        var combinations = 1.0
        for i in 0..<min(m, n) { combinations = combinations * Double(m + n - i) / Double(i + 1) }
        return 1 / combinations
    }

    /// How many of the C(m+n, m) orderings give U = 0, 1, …, m·n, by the recursion on the largest
    /// value: it is a candidate's (adding n to U) or a base's — f(i, j) = f(i−1, j)·q^j + f(i, j−1).
    /// Only additions of positive counts, so the small tail counts the p-value is read from stay
    /// exact (a product formula would subtract huge middle counts from each other). O(m²n²/4): for
    /// 100 trials a side, 25 million additions.
    static func nullCounts(m: Int, n: Int) -> [Double] {
        var previous = [[Double]](repeating: [1], count: n + 1)  // f(0, j) = 1 for U = 0
        for i in stride(from: 1, through: m, by: 1) {
            var current: [[Double]] = [[1]]  // f(i, 0)
            for j in stride(from: 1, through: n, by: 1) {
                var counts = [Double](repeating: 0, count: i * j + 1)
                for (u, count) in previous[j].enumerated() { counts[u + j] += count }
                for (u, count) in current[j - 1].enumerated() { counts[u] += count }
                current.append(counts)
            }
            previous = current
        }
        return previous[n]
    }
}
