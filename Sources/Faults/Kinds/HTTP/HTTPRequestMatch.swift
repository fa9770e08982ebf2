import Foundation
import Synchronization

/// Which HTTP requests an `http` fault acts on: method, path, one header, a probability and
/// "only the first N". Every condition given must hold.
public struct HTTPRequestMatch: Sendable, Codable, Equatable {
    /// `GET`, `POST` … (compared without case).
    public var method: String?
    /// A regular expression searched for in the request's path and query (`^/v1/`).
    public var path: String?
    /// `Name: regex`: the request has the header and its value matches.
    public var header: String?
    /// The share of matching requests acted on (1: all).
    public var probability: Double?
    /// Only the first N requests acted on; the rest pass.
    public var first: Int?

    public init(method: String? = nil, path: String? = nil, header: String? = nil, probability: Double? = nil, first: Int? = nil) {
        self.method = method
        self.path = path
        self.header = header
        self.probability = probability
        self.first = first
    }

    /// `Retry-After: 2` → ("Retry-After", "2"); nil unless a header name, a colon, and no line break.
    public static func headerLine(_ text: String) -> (name: String, value: String)? {
        guard let colon = text.firstIndex(of: ":"), !text.contains("\r"), !text.contains("\n") else { return nil }
        let name = String(text[..<colon])
        let tokenCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-.^_`|~"))
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && tokenCharacters.contains($0) }) else { return nil }
        return (name, text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }

    /// What the conditions say of one request, before probability and count (which `Decider` keeps).
    func fits(_ head: HTTPRequestHead, path pathPattern: Regex<AnyRegexOutput>?, header headerPattern: (name: String, value: Regex<AnyRegexOutput>)?) -> Bool {
        if let method, head.method.caseInsensitiveCompare(method) != .orderedSame { return false }
        if let pathPattern, (try? pathPattern.firstMatch(in: head.path)) == nil { return false }
        if let headerPattern {
            guard let value = head.value(of: headerPattern.name), (try? headerPattern.value.firstMatch(in: value)) != nil else { return false }
        }
        return true
    }

    /// Decides request by request (shared by every connection; the patterns are matched under its
    /// lock, a regular expression not being shareable across threads).
    final class Decider: Sendable {
        let match: HTTPRequestMatch
        private let patterns: Mutex<Patterns>
        private let allowance: MatchAllowance

        struct Patterns {
            let path: Regex<AnyRegexOutput>?
            let header: (name: String, value: Regex<AnyRegexOutput>)?
        }

        init(_ match: HTTPRequestMatch) throws {
            self.match = match
            let path = try match.path.map { try Regex($0) }
            let header = try match.header.flatMap(HTTPRequestMatch.headerLine).map { ($0.name, try Regex($0.value)) }
            patterns = Mutex(Patterns(path: path, header: header))
            allowance = MatchAllowance(probability: match.probability, first: match.first)
        }

        /// Whether the fault acts on this request.
        func actsOn(_ head: HTTPRequestHead) -> Bool {
            let match = match
            return patterns.withLock { match.fits(head, path: $0.path, header: $0.header) } && allowance.admits()
        }
    }
}
