import FaultlineSupport

/// `disk-fill`: one marked file in a directory of the container (a volume, a bind mount, its
/// writable layer) that takes the filesystem there until only `remaining` is free, or `used` of it
/// is used, for the window.
public struct DiskFillParameters: FaultParameters {
    public static let kind = FaultKind.diskFill
    public static let purpose = "Fill the filesystem under a directory of the container with one marked file, until a size remains free or a share is used."
    public static let revert = "the one fill file removed (also when the container stopped meanwhile, through its mount on the host)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("path", .name, required: true, help: "a directory inside the container (an absolute path: a volume's mount point, /tmp…)", example: "/var/lib/postgresql/data"),
        FaultParameter("remaining", .size(minimum: 0), help: "fill until this much is free", example: "16m"),
        FaultParameter("used", .number(0.01...1, unit: "of the filesystem"), help: "instead of remaining: fill until this share of the filesystem is used", example: "0.98"),
    ]
    public static let example = "disk-fill db --path /var/lib/postgresql/data --remaining 16m --for 1m"

    public var path: String
    public var remaining: Int64?
    public var used: Double?

    public init(path: String, remaining: Int64? = nil, used: Double? = nil) {
        self.path = path
        self.remaining = remaining
        self.used = used
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        path = try ContainerDirectoryParameter.read(input, fallback: "")
        remaining = input.bytes("remaining")
        used = input.number("used")
        if (remaining == nil) == (used == nil) {
            throw ParameterError(key: remaining == nil ? "remaining" : "used", "give \(parameter: "remaining") (free space left) or \(parameter: "used") (share used), one of them")
        }
    }

    public var texts: [(key: String, texts: [String])] {
        [("path", [path])] + ParameterTexts.optional("remaining", remaining.map(String.init)) + ParameterTexts.optional("used", used.map(ParameterTexts.number))
    }

    public func action(hasWindow: Bool) -> any FaultAction { DiskFillFault(path: path, remaining: remaining, used: used) }

    public var summary: String {
        if let remaining { return "disk-fill \(path) to \(ByteSize.format(remaining)) free" }
        return "disk-fill \(path) to \(Int(((used ?? 0) * 100).rounded()))% used"
    }
}
