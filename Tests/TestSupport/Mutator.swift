import Foundation

/// A small mutation fuzzer for text inputs (campaign files, engine JSON): byte flips, deletions,
/// duplications, splices of tokens that matter to the format, truncation, line swaps. Seeded, so a
/// failing input can be produced again from its seed and iteration.
public struct Mutator: Sendable {
    public var state: UInt64
    public let tokens: [String]

    /// `FAULTLINE_FUZZ_SECONDS` (default `fallback`): how long a fuzz test runs.
    public static func budget(default fallback: Double) -> Duration {
        .milliseconds(Int((Double(ProcessInfo.processInfo.environment["FAULTLINE_FUZZ_SECONDS"] ?? "") ?? fallback) * 1000))
    }

    public init(seed: UInt64, tokens: [String]) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
        self.tokens = tokens
    }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    public mutating func below(_ limit: Int) -> Int { limit <= 0 ? 0 : Int(next() % UInt64(limit)) }

    /// One to four mutations of `input`.
    public mutating func mutate(_ input: String) -> String {
        var bytes = Array(input.utf8)
        for _ in 0...below(4) {
            let position = below(bytes.count + 1)
            switch below(8) {
            case 0 where !bytes.isEmpty: bytes[min(position, bytes.count - 1)] ^= UInt8(1 << below(8))
            case 1 where !bytes.isEmpty: bytes.removeSubrange(min(position, bytes.count - 1)..<min(bytes.count, position + 1 + below(16)))
            case 2: bytes.insert(contentsOf: Array(tokens[below(tokens.count)].utf8), at: position)
            case 3 where !bytes.isEmpty:
                let start = below(bytes.count), length = min(bytes.count - start, 1 + below(40))
                bytes.insert(contentsOf: bytes[start..<start + length], at: position)
            case 4: bytes = Array(bytes.prefix(position))
            case 5:
                var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if lines.count > 1 { lines.swapAt(below(lines.count), below(lines.count)) }
                bytes = Array(lines.joined(separator: "\n").utf8)
            case 6: bytes.insert(UInt8(truncatingIfNeeded: next()), at: position)
            default:
                // Replace a run of characters with a token.
                if !bytes.isEmpty {
                    let start = min(position, bytes.count - 1)
                    bytes.replaceSubrange(start..<min(bytes.count, start + 1 + below(8)), with: Array(tokens[below(tokens.count)].utf8))
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
