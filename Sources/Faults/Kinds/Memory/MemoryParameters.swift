import FaultlineSupport

/// `memory`: a memory limit for the window.
public struct MemoryParameters: FaultParameters {
    public static let kind = FaultKind.memory
    public static let purpose = "Limit memory and swap: writes the live memory cgroup (nothing persisted)."
    public static let revert = "original limits written back"
    public static let window = FaultWindowUse.required
    public static let parameters = [FaultParameter("limit", option: "memory", .size(minimum: MemoryFault.minimumBytes), required: true,
                                                   help: "the memory limit", example: "64m")]
    public static let example = "memory api --memory 64m --for 20s"

    /// The limit in bytes.
    public var memory: Int64

    public init(bytes: Int64) { memory = bytes }
    public init(_ input: ParameterInput) { memory = input.bytes("limit") ?? MemoryFault.minimumBytes }

    public var texts: [(key: String, texts: [String])] { [("limit", ["\(memory)"])] }

    public func action(hasWindow: Bool) -> any FaultAction { MemoryFault(bytes: memory) }
    public var summary: String { "memory \(ByteSize.format(memory))" }
}
