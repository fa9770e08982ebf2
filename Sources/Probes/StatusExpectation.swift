import Foundation

/// Which HTTP statuses count as ok: `200`, `200,204`, `200-299`, `2xx`.
public struct StatusExpectation: Codable, Sendable, Equatable, CustomStringConvertible {
    public let ranges: [ClosedRange<Int>]

    public init(ranges: [ClosedRange<Int>]) { self.ranges = ranges }

    /// Any 2xx or 3xx.
    public static let success = StatusExpectation(ranges: [200...399])

    public static func parse(_ text: String) throws(ProbeConfigError) -> StatusExpectation {
        var ranges: [ClosedRange<Int>] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if part.count == 3, part.hasSuffix("xx"), let hundred = Int(part.prefix(1)), (1...5).contains(hundred) {
                ranges.append(hundred * 100...hundred * 100 + 99)
            } else if let dash = part.firstIndex(of: "-"), let low = Int(part[..<dash]), let high = Int(part[part.index(after: dash)...]),
                      (100...599).contains(low), (100...599).contains(high), low <= high {
                ranges.append(low...high)
            } else if let code = Int(part), (100...599).contains(code) {
                ranges.append(code...code)
            } else {
                throw ProbeConfigError("expect_status", "'\(part)' is not a status, a range (200-299) or a class (2xx)")
            }
        }
        guard !ranges.isEmpty else { throw ProbeConfigError("expect_status", "empty") }
        return StatusExpectation(ranges: ranges)
    }

    public func accepts(_ status: Int) -> Bool { ranges.contains { $0.contains(status) } }

    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
    }

    // Stored as its text form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self = try StatusExpectation.parse(String(number))
        } else {
            self = try StatusExpectation.parse(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
