import Foundation
import Glibc

/// The bytes read from one side of a proxied connection and not yet passed on: what the `http`
/// fault's proxy reads HTTP heads from, and bodies through, on either side.
final class SocketReader {
    let descriptor: Int32
    var pending: [UInt8] = []

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    /// Reads until `enough` holds for what is pending; false at the stream's end.
    func fill(until enough: ([UInt8]) -> Bool) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !enough(pending) {
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { return false }
            pending += buffer[0..<count]
        }
        return true
    }

    /// Reads until what is pending holds a whole head, cannot begin one (`mayBegin`), or is too long to be one.
    func fillHead(mayBegin: ([UInt8]) -> Bool) -> Bool {
        fill(until: { HTTPRequestHead.endIndex(in: $0) != nil || !mayBegin($0) || $0.count > HTTPRequestHead.limit })
    }

    /// Passes one message body, framed as `framing`, to `sink` as it arrives (chunk sizes and
    /// trailers included, byte for byte). False when the stream ends inside it, or the sink refuses
    /// (a body until close ends at the stream's end: true).
    func relay(_ framing: HTTPBodyFraming, to sink: (ArraySlice<UInt8>) -> Bool) -> Bool {
        switch framing {
        case .none: return true
        case .length(let length): return relay(bytes: length, to: sink)
        case .untilClose:
            while true {
                if !pending.isEmpty {
                    guard sink(pending[...]) else { return false }
                    pending.removeAll(keepingCapacity: true)
                }
                guard fill(until: { !$0.isEmpty }) else { return true }
            }
        case .chunked:
            while true {
                guard let lineEnd = line(), let size = Self.chunkSize(pending[..<(lineEnd - 2)]) else { return false }
                guard relay(bytes: lineEnd, to: sink) else { return false }
                if size == 0 {
                    // Trailer lines, then the empty line that ends the body.
                    while true {
                        guard let end = line(), relay(bytes: end, to: sink) else { return false }
                        if end == 2 { return true }
                    }
                }
                guard relay(bytes: size + 2, to: sink) else { return false }
            }
        }
    }

    /// Passes the next `count` bytes to `sink` as they arrive.
    func relay(bytes count: Int, to sink: (ArraySlice<UInt8>) -> Bool) -> Bool {
        var left = count
        while left > 0 {
            if pending.isEmpty, !fill(until: { !$0.isEmpty }) { return false }
            let part = min(left, pending.count)
            guard sink(pending[..<part]) else { return false }
            pending.removeFirst(part)
            left -= part
        }
        return true
    }

    /// The index just past the next CRLF once it is pending; nil at the stream's end.
    private func line() -> Int? {
        guard fill(until: { $0.firstRange(of: [13, 10]) != nil }) else { return nil }
        return pending.firstRange(of: [13, 10])?.upperBound
    }

    /// A chunk-size line without its extensions (`6;x=y`), in hex.
    static func chunkSize(_ line: ArraySlice<UInt8>) -> Int? {
        let text = String(decoding: line, as: UTF8.self).split(separator: ";").first ?? ""
        return Int(text.trimmingCharacters(in: .whitespaces), radix: 16).flatMap { $0 >= 0 ? $0 : nil }
    }
}
