import CHiredis
import Foundation

/// A reply from Redis, as hiredis's reader parsed it.
indirect enum RedisReply: Equatable {
    case text(String)
    case integer(Int64)
    case null
    case error(String)
    case array([RedisReply])

    /// One line for a probe's reason: the text, the number, `(nil)` or `[n elements]`.
    var summary: String {
        switch self {
        case .text(let text), .error(let text): text
        case .integer(let value): String(value)
        case .null: "(nil)"
        case .array(let elements): "[\(elements.count) elements]"
        }
    }

    init(_ raw: UnsafeMutablePointer<redisReply>) {
        let reply = raw.pointee
        let text = reply.str.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(reply.len)), as: UTF8.self) } ?? ""
        switch reply.type {
        case REDIS_REPLY_ERROR: self = .error(text)
        case REDIS_REPLY_INTEGER: self = .integer(Int64(reply.integer))
        case REDIS_REPLY_NIL: self = .null
        case REDIS_REPLY_ARRAY:
            self = .array((0..<Int(reply.elements)).map { index in reply.element[index].map { RedisReply($0) } ?? .null })
        default: self = .text(text)
        }
    }
}

/// A Redis connection on the `ProbePoller`: commands written in RESP and pipelined, replies
/// parsed by hiredis's reader as bytes arrive. Used on the poller's thread only; deadlines are
/// the caller's (it closes the session when its own passes).
final class RedisSession {
    private let connection: PolledConnection
    private let reader: UnsafeMutablePointer<redisReader>

    init(poller: ProbePoller) {
        connection = PolledConnection(poller: poller)
        guard let reader = redisReaderCreate() else { fatalError("faultline: hiredis could not allocate a reply reader") }
        self.reader = reader
    }

    deinit {
        connection.close()
        redisReaderFree(reader)
    }

    /// The step under way, for a deadline's message.
    var step: String { connection.step }

    func connect(host: String, port: Int, known: [AddressResolver.Address]? = nil, completion: @escaping (SocketIO.Failure?) -> Void) {
        connection.connect(host: host, port: port, known: known, completion: completion)
    }

    /// Sends `commands` in one write and hands back their replies, in order, once all arrived.
    func exchange(_ commands: [[String]], completion: @escaping (Result<[RedisReply], SocketIO.Failure>) -> Void) {
        connection.send(commands.flatMap(Self.encode)) { [self] failure in
            if let failure { completion(.failure(failure)); return }
            var replies: [RedisReply] = []
            connection.receive { [self] received in
                switch received {
                case .bytes(let bytes):
                    _ = bytes.withUnsafeBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { redisReaderFeed(reader, $0.baseAddress, $0.count) }
                    }
                    var raw: UnsafeMutableRawPointer?
                    while redisReaderGetReply(reader, &raw) == REDIS_OK, let reply = raw {
                        replies.append(RedisReply(reply.assumingMemoryBound(to: redisReply.self)))
                        freeReplyObject(reply)
                        raw = nil
                    }
                    if reader.pointee.err != 0 {
                        connection.stopReceiving()
                        let message = withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                        completion(.failure(SocketIO.Failure(message: "receive: protocol error: \(message)", timedOut: false)))
                    } else if replies.count >= commands.count {
                        connection.stopReceiving()
                        completion(.success(replies))
                    }
                case .closed: completion(.failure(SocketIO.Failure(message: "receive: Server closed the connection", timedOut: false)))
                case .failed(let failure): completion(.failure(failure))
                }
            }
        }
    }

    func close() { connection.close() }

    /// One command in RESP: `*argc`, then each argument as a bulk string.
    static func encode(_ argv: [String]) -> [UInt8] {
        var bytes = Array("*\(argv.count)\r\n".utf8)
        for argument in argv {
            let utf8 = Array(argument.utf8)
            bytes += Array("$\(utf8.count)\r\n".utf8) + utf8 + [13, 10]
        }
        return bytes
    }
}
