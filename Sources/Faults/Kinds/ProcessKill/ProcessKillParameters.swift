/// `process-kill`: a signal to the processes inside a container whose command line matches a
/// pattern, not the container's main process unless the campaign says so. One-shot: a killed
/// process stays killed (whatever restarts it, a supervisor or the service itself, is under test).
public struct ProcessKillParameters: FaultParameters {
    public static let kind = FaultKind.processKill
    public static let purpose = "Send a signal to the processes inside the container whose command line matches a pattern (not its main process unless asked)."
    public static let revert = "nothing: one-shot (a killed process stays killed)"
    public static let window = FaultWindowUse.none
    public static let parameters = [
        FaultParameter("pattern", .name, required: true,
                       help: "a regular expression searched for in each process's command line (its arguments joined by spaces)", example: "worker"),
        FaultParameter("signal", .signal, help: "the signal (default SIGKILL)", example: "SIGTERM"),
        FaultParameter("include_main", option: "include-main", .flag,
                       help: "the container's main process (PID 1 inside it) may be among those signalled; refused otherwise (default false)",
                       example: "true"),
    ]
    public static let example = "process-kill api --pattern 'celery worker' --signal SIGTERM"

    public var pattern: String
    /// The canonical name (`SIGTERM`); SIGKILL when nil.
    public var signal: String?
    public var includeMain: Bool

    public init(pattern: String, signal: String? = nil, includeMain: Bool = false) {
        self.pattern = pattern
        self.signal = signal
        self.includeMain = includeMain
    }

    public init(_ input: ParameterInput) throws(ParameterError) {
        pattern = input.text("pattern") ?? ""
        signal = input.text("signal")
        includeMain = input.flag("include_main") ?? false
        try RegexParameter.check(pattern, key: "pattern")
    }

    public var texts: [(key: String, texts: [String])] {
        [("pattern", [pattern])] + ParameterTexts.optional("signal", signal) + (includeMain ? [("include_main", ["true"])] : [])
    }

    public func action(hasWindow: Bool) -> any FaultAction {
        ProcessKillFault(pattern: pattern, signal: signal ?? "SIGKILL", includeMain: includeMain)
    }
}
