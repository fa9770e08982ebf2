/// One WebSocket frame (RFC 6455 §5.2) as the websocket fault's relay reads it off a connection:
/// its header fields and its payload, unmasked.
struct WebSocketFrame: Sendable, Equatable {
    var fin: Bool
    /// RSV1–3 (a compression extension sets RSV1).
    var reserved: UInt8
    var opcode: UInt8
    /// The client's masking key (frames a client sends are masked; a server's are not).
    var mask: [UInt8]?
    var payload: [UInt8]

    static let text: UInt8 = 1
    static let close: UInt8 = 8

    /// A whole text message in one frame, uncompressed: what the fault matches and acts on.
    var isWholeTextMessage: Bool { fin && opcode == Self.text && reserved == 0 }

    /// The frame at the start of `bytes` and its length, or nil while it is not all there.
    static func parse(_ bytes: [UInt8]) -> (frame: WebSocketFrame, length: Int)? {
        guard bytes.count >= 2 else { return nil }
        let masked = bytes[1] & 0x80 != 0
        var length = Int(bytes[1] & 0x7f), offset = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        var mask: [UInt8]?
        if masked {
            guard bytes.count >= offset + 4 else { return nil }
            mask = Array(bytes[offset..<(offset + 4)])
            offset += 4
        }
        guard length >= 0, bytes.count - offset >= length else { return nil }
        var payload = Array(bytes[offset..<(offset + length)])
        if let mask { for index in payload.indices { payload[index] ^= mask[index % 4] } }
        let frame = WebSocketFrame(fin: bytes[0] & 0x80 != 0, reserved: (bytes[0] >> 4) & 0x7, opcode: bytes[0] & 0x0f, mask: mask, payload: payload)
        return (frame, offset + length)
    }

    /// The frame's bytes, masked again with its own key when it has one.
    var encoded: [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | (reserved << 4) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        switch payload.count {
        case ..<126: bytes.append(maskBit | UInt8(payload.count))
        case ..<65536: bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default: bytes.append(maskBit | 127); bytes += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xff) }
        }
        guard let mask else { return bytes + payload }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// A close frame with a status code (masked when it goes to a server).
    static func closing(code: UInt16, reason: String, masked: Bool) -> WebSocketFrame {
        WebSocketFrame(fin: true, reserved: 0, opcode: close, mask: masked ? (0..<4).map { _ in UInt8.random(in: 0...255) } : nil,
                       payload: [UInt8(code >> 8), UInt8(code & 0xff)] + Array(reason.utf8.prefix(120)))
    }
}
