import FaultlineSupport

/// A probe specification that cannot be used; says which field and what is allowed.
public struct ProbeConfigError: Error, CustomStringConvertible, Equatable, ExitCodeClassified {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
    public var exitCode: FaultlineExitCode { .invalidInput }
}
