/// `stop`: the container is stopped (SIGTERM, then SIGKILL after the grace) and started again
/// when the window ends.
public struct StopParameters: FaultParameters {
    public static let kind = FaultKind.stop
    public static let purpose = "Stop the container (its stop signal, then SIGKILL after the grace); start it again when the window ends."
    public static let revert = "start again"
    public static let window = FaultWindowUse.required
    public static let parameters = [FaultParameter.grace]
    public static let example = "stop api --grace 5 --for 30s"

    /// Seconds before the engine sends SIGKILL; the engine's default when nil.
    public var grace: Int?

    public init(grace: Int? = nil) { self.grace = grace }
    public init(_ input: ParameterInput) { grace = input.seconds("grace") }

    public var texts: [(key: String, texts: [String])] { ParameterTexts.optional("grace", grace.map { "\($0)" }) }

    public func action(hasWindow: Bool) -> any FaultAction { StopFault(graceSeconds: grace) }
    public var summary: String { "stop" }
}
