import Foundation

/// The one way faultline appends a record to a JSON Lines file (the fault ledger, a run's
/// journal): the record starts on a line of its own (after a line a crash tore, a newline comes
/// first), the whole line is written or none of it (a short write is rolled back by truncating to
/// the old size), and unless the caller defers it (`sync: false`) it is `fsync`ed before the call
/// returns. Callers hold whatever lock they need.
public enum AppendOnlyLines {
    /// Why an append did not happen; the file is as it was.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let operation: String
        public let reason: String
        public var description: String { "cannot \(operation): \(reason)" }
    }

    /// Appends `record` plus a newline to the file open (with O_APPEND) as `descriptor`. With
    /// `sync: false` the line is in the page cache when this returns (it survives the process being
    /// killed, not a power cut) and the caller makes it durable later.
    public static func append(_ record: Data, to descriptor: Int32, sync: Bool = true) -> Failure? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return failure("stat") }
        let oldSize = info.st_size
        var line = Data()
        if oldSize > 0 {
            var last: UInt8 = 0
            guard pread(descriptor, &last, 1, oldSize - 1) == 1 else { return failure("read the last byte") }
            if last != UInt8(ascii: "\n") { line.append(UInt8(ascii: "\n")) }
        }
        line.append(record)
        line.append(UInt8(ascii: "\n"))
        guard writeAll(line, to: descriptor) else {
            let cause = failure("write")
            _ = ftruncate(descriptor, oldSize)
            _ = fsync(descriptor)
            return cause
        }
        guard sync else { return nil }
        guard fsync(descriptor) == 0 else {
            let cause = failure("fsync")
            _ = ftruncate(descriptor, oldSize)
            return cause
        }
        return nil
    }

    private static func writeAll(_ bytes: Data, to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    private static func failure(_ operation: String) -> Failure {
        Failure(operation: operation, reason: String(cString: strerror(errno)))
    }
}
