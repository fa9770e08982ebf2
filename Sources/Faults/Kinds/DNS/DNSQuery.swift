/// One DNS query as the dns fault's resolver reads it: its id, flags, the name asked for and the
/// question section as sent, so an error answer can echo it back (RFC 1035 §4.1).
public struct DNSQuery: Sendable, Equatable {
    public let id: UInt16
    public let flags: UInt16
    /// The name asked for, lowercased, without the final dot (`llm`, `api.example.com`).
    public let name: String
    /// QNAME, QTYPE and QCLASS of the first question, byte for byte.
    public let question: [UInt8]

    /// Reads a query; nil for anything else (a response, no question, a malformed name).
    public static func parse(_ bytes: [UInt8]) -> DNSQuery? {
        guard bytes.count >= 12 else { return nil }
        let flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let questions = UInt16(bytes[4]) << 8 | UInt16(bytes[5])
        guard flags & 0x8000 == 0, questions >= 1 else { return nil }
        var offset = 12, labels: [String] = []
        while true {
            guard offset < bytes.count else { return nil }
            let length = Int(bytes[offset])
            offset += 1
            if length == 0 { break }
            // A query's name is never compressed; labels are at most 63 bytes.
            guard length <= 63, offset + length <= bytes.count else { return nil }
            labels.append(String(decoding: bytes[offset..<offset + length], as: UTF8.self).lowercased())
            offset += length
        }
        guard offset + 4 <= bytes.count else { return nil }
        return DNSQuery(id: UInt16(bytes[0]) << 8 | UInt16(bytes[1]), flags: flags, name: labels.joined(separator: "."),
                        question: Array(bytes[12..<offset + 4]))
    }

    /// Response codes the fault answers with.
    public enum ResponseCode: UInt16, Sendable {
        case serverFailure = 2
        case nameError = 3
    }

    /// An answer with no records and `code`: the query's id, opcode and recursion-desired bit,
    /// recursion available, its question echoed.
    public func answer(_ code: ResponseCode) -> [UInt8] {
        let flags: UInt16 = 0x8000 | (self.flags & 0x7900) | 0x0080 | code.rawValue
        return [UInt8(id >> 8), UInt8(id & 0xff), UInt8(flags >> 8), UInt8(flags & 0xff), 0, 1, 0, 0, 0, 0, 0, 0] + question
    }

    /// A query for `name` (what the tests and a resolver send).
    public static func encode(id: UInt16, name: String, type: UInt16 = 1) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        return bytes + [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
    }
}
