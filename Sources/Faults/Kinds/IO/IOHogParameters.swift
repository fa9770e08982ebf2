import FaultlineSupport

/// `io-hog`: workers that keep writing and reading files under a directory of the container for
/// the window (stress-ng's hdd stressor, inside the container's cgroups), in a marked scratch
/// directory that the revert removes.
public struct IOHogParameters: FaultParameters {
    public static let kind = FaultKind.ioHog
    public static let purpose = "Keep the disk under a directory of the container busy: workers writing and reading back files there, inside its cgroups, with direct IO unless asked otherwise."
    public static let revert = "every process of the hog killed and its scratch directory (.faultline-io-…) removed (its own time-out ends it too)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("path", .name, help: "a directory inside the container to write under (default /: its writable layer)", example: "/var/lib/postgresql/data"),
        FaultParameter("workers", .number(1...64, unit: "workers"), help: "writers, each with a file of its own (default 1)", example: "2"),
        FaultParameter("size", .size(minimum: 1 << 20), help: "each worker's file (default 64m); all of them must fit with 5% of the filesystem to spare", example: "256m"),
        FaultParameter("buffered", .flag,
                       help: "write through the page cache instead of direct IO (on cgroup v1 the kernel then charges the writes to no container, so io-limit does not slow them) (default false)",
                       example: "true"),
    ]
    public static let example = "io-hog db --path /var/lib/postgresql/data --workers 2 --size 128m --for 1m"

    public var path: String
    public var workers: Int
    public var size: Int64
    public var buffered: Bool

    public init(path: String = "/", workers: Int = 1, size: Int64 = 64 << 20, buffered: Bool = false) {
        self.path = path
        self.workers = workers
        self.size = size
        self.buffered = buffered
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        path = try ContainerDirectoryParameter.read(input)
        let workers = input.number("workers") ?? 1
        guard workers == workers.rounded() else { throw ParameterError(key: "workers", "\(parameter: "workers") must be a whole number, got \(workers)") }
        self.workers = Int(workers)
        size = input.bytes("size") ?? 64 << 20
        buffered = input.flag("buffered") ?? false
    }

    public var texts: [(key: String, texts: [String])] {
        (path == "/" ? [] : [("path", [path])]) + [("workers", [String(workers)]), ("size", [String(size)])] + (buffered ? [("buffered", ["true"])] : [])
    }

    public func action(hasWindow: Bool) -> any FaultAction { IOHogFault(path: path, workers: workers, size: size, buffered: buffered) }

    public var summary: String {
        "io-hog \(path) \(workers) worker\(workers == 1 ? "" : "s") × \(ByteSize.format(size))\(buffered ? " buffered" : "")"
    }
}
