import FaultlineSupport

/// `io-limit`: the container's reads and writes on the disk under one of its directories throttled
/// for the window: bytes and operations per second, each direction on its own.
public struct IOLimitParameters: FaultParameters {
    public static let kind = FaultKind.ioLimit
    public static let purpose = "Throttle the container's reads and writes on the disk under a directory: bytes and operations per second (blkio on cgroup v1, io.max on v2). On v1 the kernel throttles reads and direct or synchronous writes; buffered writes flushed later are not charged to the container."
    public static let revert = "the disk's original throttle values written back into the live cgroup (nothing persisted)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("path", .name, help: "a directory inside the container whose disk is throttled (default /: its writable layer)", example: "/var/lib/postgresql/data"),
        FaultParameter("read_bps", option: "read-bps", .size(minimum: 4096), help: "bytes read per second", example: "1m"),
        FaultParameter("write_bps", option: "write-bps", .size(minimum: 4096), help: "bytes written per second", example: "512k"),
        FaultParameter("read_iops", option: "read-iops", .number(1...1_000_000, unit: "operations/s"), help: "read operations per second", example: "100"),
        FaultParameter("write_iops", option: "write-iops", .number(1...1_000_000, unit: "operations/s"), help: "write operations per second", example: "50"),
    ]
    public static let example = "io-limit db --path /var/lib/postgresql/data --write-bps 1m --write-iops 50 --for 1m"

    public var path: String
    public var limits: IOLimits

    public init(path: String = "/", limits: IOLimits) {
        self.path = path
        self.limits = limits
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        path = try ContainerDirectoryParameter.read(input)
        func operations(_ key: String) throws(ParameterError) -> Int64? {
            guard let value = input.number(key) else { return nil }
            guard value == value.rounded() else { throw ParameterError(key: key, "\(parameter: key) must be a whole number of operations, got \(value)") }
            return Int64(value)
        }
        limits = IOLimits(readBytes: input.bytes("read_bps"), writeBytes: input.bytes("write_bps"),
                          readOperations: try operations("read_iops"), writeOperations: try operations("write_iops"))
        guard !limits.isEmpty else {
            throw ParameterError(key: "write_bps", "give at least one of \(parameter: "read_bps"), \(parameter: "write_bps"), \(parameter: "read_iops"), \(parameter: "write_iops")")
        }
    }

    public var texts: [(key: String, texts: [String])] {
        (path == "/" ? [] : [("path", [path])])
            + ParameterTexts.optional("read_bps", limits.readBytes.map(String.init)) + ParameterTexts.optional("write_bps", limits.writeBytes.map(String.init))
            + ParameterTexts.optional("read_iops", limits.readOperations.map(String.init)) + ParameterTexts.optional("write_iops", limits.writeOperations.map(String.init))
    }

    public func action(hasWindow: Bool) -> any FaultAction { IOLimitFault(path: path, limits: limits) }

    public var summary: String { "io-limit \(path) \(limits)" }
}

/// Throttle values per direction; nil: that direction is left as it is.
public struct IOLimits: Sendable, Equatable, Codable, CustomStringConvertible {
    public var readBytes: Int64?
    public var writeBytes: Int64?
    public var readOperations: Int64?
    public var writeOperations: Int64?

    public init(readBytes: Int64? = nil, writeBytes: Int64? = nil, readOperations: Int64? = nil, writeOperations: Int64? = nil) {
        self.readBytes = readBytes
        self.writeBytes = writeBytes
        self.readOperations = readOperations
        self.writeOperations = writeOperations
    }

    public var isEmpty: Bool { readBytes == nil && writeBytes == nil && readOperations == nil && writeOperations == nil }

    /// `read 1.0 MiB/s, write 50 IO/s`.
    public var description: String {
        var parts: [String] = []
        if let readBytes { parts.append("read \(ByteSize.format(readBytes))/s") }
        if let readOperations { parts.append("read \(readOperations) IO/s") }
        if let writeBytes { parts.append("write \(ByteSize.format(writeBytes))/s") }
        if let writeOperations { parts.append("write \(writeOperations) IO/s") }
        return parts.joined(separator: ", ")
    }
}
