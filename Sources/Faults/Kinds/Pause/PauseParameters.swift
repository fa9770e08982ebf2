/// `pause`: every process frozen for the window.
public struct PauseParameters: FaultParameters {
    public static let kind = FaultKind.pause
    public static let purpose = "Freeze every process (cgroup freezer); unpause when the window ends."
    public static let revert = "unpause"
    public static let window = FaultWindowUse.required
    public static let parameters: [FaultParameter] = []
    public static let example = "pause redis --for 30s"

    public init() {}
    public init(_ input: ParameterInput) {}

    public var texts: [(key: String, texts: [String])] { [] }

    public func action(hasWindow: Bool) -> any FaultAction { PauseFault() }
    public var summary: String { "pause" }
}
