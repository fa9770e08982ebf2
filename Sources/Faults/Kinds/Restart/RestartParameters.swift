/// `restart`: one-shot restart through the engine.
public struct RestartParameters: FaultParameters {
    public static let kind = FaultKind.restart
    public static let purpose = "Restart the container (one-shot)."
    public static let revert = "makes sure it runs again"
    public static let window = FaultWindowUse.none
    public static let parameters = [FaultParameter.grace]
    public static let example = "restart api --grace 0"

    /// Seconds before the engine sends SIGKILL; the engine's default when nil.
    public var grace: Int?

    public init(grace: Int? = nil) { self.grace = grace }
    public init(_ input: ParameterInput) { grace = input.seconds("grace") }

    public var texts: [(key: String, texts: [String])] { ParameterTexts.optional("grace", grace.map { "\($0)" }) }

    public func action(hasWindow: Bool) -> any FaultAction { RestartFault(graceSeconds: grace) }
    public var summary: String { "restart" }
}
