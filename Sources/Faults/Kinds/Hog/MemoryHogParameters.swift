import FaultlineSupport

/// `memory-hog`: memory allocated and touched inside the container's cgroups for the window
/// (stress-ng from the engine's host): a size, or what takes the container to a share of its limit.
public struct MemoryHogParameters: FaultParameters {
    public static let kind = FaultKind.memoryHog
    public static let purpose = "Allocate and hold memory inside the container (its cgroups and PID namespace): a size, up to a share of its limit, or past it until the OOM killer acts."
    public static let revert = "every process of the hog killed, its memory freed (its own time-out ends it too)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("size", .size(minimum: 1 << 20), help: "memory to allocate and touch", example: "256m"),
        FaultParameter("share", .number(0.01...1, unit: "of the limit"),
                       help: "instead of size: allocate what takes the container's usage to this share of its memory limit", example: "0.9"),
        FaultParameter("oom", .flag,
                       help: "instead of size or share: allocate past the container's memory limit until the OOM killer acts; the revert reports how often it acted and what the engine says of the container",
                       example: "true"),
    ]
    public static let example = "memory-hog api --share 0.9 --for 30s"

    public var size: Int64?
    public var share: Double?
    public var oom: Bool

    public init(size: Int64? = nil, share: Double? = nil, oom: Bool = false) {
        self.size = size
        self.share = share
        self.oom = oom
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        size = input.bytes("size")
        share = input.number("share")
        oom = input.flag("oom") ?? false
        if [size != nil, share != nil, oom].filter({ $0 }).count != 1 {
            throw ParameterError(key: size == nil ? (share == nil ? "size" : "share") : "size",
                                 "give \(parameter: "size") (bytes), \(parameter: "share") (of the container's memory limit) or \(parameter: "oom") (past it), one of them")
        }
    }

    public var texts: [(key: String, texts: [String])] {
        ParameterTexts.optional("size", size.map(String.init)) + ParameterTexts.optional("share", share.map(ParameterTexts.number)) + (oom ? [("oom", ["true"])] : [])
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        // One worker; --vm-hang 0: touch every page once, then hold them (no CPU burnt re-touching);
        // --oomable: a worker the OOM killer ends is not started again.
        var arguments = ["--vm", "1", "--vm-hang", "0", "--oomable"]
        if let size { arguments += ["--vm-bytes", String(size)] }
        return ResourceHogFault(kind: .memoryHog, summary: summary, stressArguments: arguments, limitShare: share, seeksOOM: oom)
    }

    public var summary: String {
        if let size { return "memory-hog \(ByteSize.format(size))" }
        if oom { return "memory-hog past the limit" }
        return "memory-hog to \(Int(((share ?? 0) * 100).rounded()))% of the limit"
    }
}
