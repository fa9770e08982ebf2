import FaultlineSupport

/// A fault parameter that was refused: which one (and which list item), and why. The campaign
/// parser locates it at that key's line and column; `inject` names the option.
public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible, ExitCodeClassified {
    /// The campaign key it is about; nil when it is about the kind as a whole.
    public let key: String?
    /// The item of a list value, when it is one item.
    public let index: Int?
    public let text: ParameterText

    public init(key: String?, index: Int? = nil, _ text: ParameterText) {
        self.key = key
        self.index = index
        self.text = text
    }

    public var description: String { text.description }
    public var exitCode: FaultlineExitCode { .invalidInput }
}
