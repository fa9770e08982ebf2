/// `kill`: a signal to the container; with a window, started again if it is still down at the end.
public struct KillParameters: FaultParameters {
    public static let kind = FaultKind.kill
    public static let purpose = "Send a signal; with a window, start the container again if it is still down when the window ends."
    public static let revert = "with a window: start again if down"
    public static let window = FaultWindowUse.optional
    public static let parameters = [FaultParameter("signal", .signal, help: "the signal (default SIGKILL)", example: "SIGTERM")]
    public static let example = "kill worker --signal SIGTERM"

    /// The canonical name (`SIGTERM`); SIGKILL when nil.
    public var signal: String?

    public init(signal: String? = nil) { self.signal = signal }
    public init(_ input: ParameterInput) { signal = input.text("signal") }

    public var texts: [(key: String, texts: [String])] { ParameterTexts.optional("signal", signal) }

    public func action(hasWindow: Bool) -> any FaultAction { KillFault(signal: signal ?? "SIGKILL", startAgainAfterWindow: hasWindow) }
    public var summary: String { "kill \(signal ?? "SIGKILL")" }
}
