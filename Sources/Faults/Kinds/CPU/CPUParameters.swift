/// `cpu`: a CPU limit for the window. Above the host's CPUs it would change nothing, which the
/// fault refuses when it is prepared on the host that runs the container.
public struct CPUParameters: FaultParameters {
    public static let kind = FaultKind.cpu
    public static let purpose = "Limit CPU to a fraction of a core: writes the live CFS quota (nothing persisted; above the host's CPUs refused)."
    public static let revert = "original quota written back"
    public static let window = FaultWindowUse.required
    public static let parameters = [FaultParameter("cpus", .number(0.01...1024, unit: "cores"), required: true,
                                                   help: "cores the container may use", example: "0.2")]
    public static let example = "cpu api --cpus 0.2 --for 1m"

    public var cpus: Double

    public init(cpus: Double) { self.cpus = cpus }
    public init(_ input: ParameterInput) { cpus = input.number("cpus") ?? 0 }

    public var texts: [(key: String, texts: [String])] { [("cpus", [ParameterTexts.number(cpus)])] }

    public func action(hasWindow: Bool) -> any FaultAction { CPUFault(cpus: cpus) }
    public var summary: String { "cpu \(cpus)" }
}
