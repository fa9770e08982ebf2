/// `cpu-hog`: workers that keep CPUs busy inside the container's cgroups for the window (stress-ng
/// from the engine's host), so the container's own CPU limit and accounting apply to them.
public struct CPUHogParameters: FaultParameters {
    public static let kind = FaultKind.cpuHog
    public static let purpose = "Keep CPUs busy inside the container (its cgroups and PID namespace): workers at a load share, under the container's own limits."
    public static let revert = "every process of the hog killed (its own time-out ends it too)"
    public static let window = FaultWindowUse.required
    public static let parameters = [
        FaultParameter("workers", .number(1...256, unit: "workers"), help: "busy workers, each up to one CPU (default 1)", example: "2"),
        FaultParameter("load", .number(1...100, unit: "%"), help: "how busy each worker keeps its CPU (default 100)", example: "80"),
    ]
    public static let example = "cpu-hog api --workers 2 --load 80 --for 1m"

    public var workers: Int
    public var load: Int

    public init(workers: Int = 1, load: Int = 100) {
        self.workers = workers
        self.load = load
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        let workers = input.number("workers") ?? 1, load = input.number("load") ?? 100
        guard workers == workers.rounded() else { throw ParameterError(key: "workers", "\(parameter: "workers") must be a whole number, got \(workers)") }
        guard load == load.rounded() else { throw ParameterError(key: "load", "\(parameter: "load") must be a whole percentage, got \(load)") }
        self.workers = Int(workers)
        self.load = Int(load)
    }

    public var texts: [(key: String, texts: [String])] { [("workers", [String(workers)]), ("load", [String(load)])] }

    public func action(hasWindow: Bool) -> any FaultAction {
        ResourceHogFault(kind: .cpuHog, summary: summary, stressArguments: ["--cpu", String(workers), "--cpu-load", String(load)])
    }

    public var summary: String { "cpu-hog \(workers) worker\(workers == 1 ? "" : "s") at \(load)%" }
}
