import Foundation

/// One header line of an HTTP/1.x message, as the `http` fault's proxy reads it.
struct HTTPHeaderField: Sendable, Equatable {
    let name: String
    let value: String

    /// The text of a head (start line first) split into its start line and header fields; nil when
    /// it is not text or a header line has no colon.
    static func split(_ bytes: ArraySlice<UInt8>) -> (startLine: Substring, fields: [HTTPHeaderField])? {
        guard let text = String(validating: bytes, as: UTF8.self) ?? String(bytes: Array(bytes), encoding: .isoLatin1) else { return nil }
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let startLine = lines.removeFirst()
        var fields: [HTTPHeaderField] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            fields.append(HTTPHeaderField(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return (startLine, fields)
    }
}

extension [HTTPHeaderField] {
    /// The first value of a header, by name without case.
    func value(of name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Whether the last transfer coding is chunked; nil without Transfer-Encoding.
    var isChunked: Bool? {
        value(of: "Transfer-Encoding").map { $0.lowercased().split(separator: ",").last?.trimmingCharacters(in: .whitespaces) == "chunked" }
    }

    /// Content-Length: nil without one, .failure when it is not a length.
    var contentLength: Result<Int, HTTPBodyFraming.Unreadable>? {
        value(of: "Content-Length").map { Int($0).flatMap { $0 >= 0 ? $0 : nil }.map { .success($0) } ?? .failure(.init()) }
    }
}
