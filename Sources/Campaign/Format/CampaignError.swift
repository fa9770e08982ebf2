import FaultlineSupport

/// A campaign file that cannot be used: names the file, line and column, the key path, what is
/// wrong, and what is allowed (with the closest allowed word for a typo).
public struct CampaignError: Error, CustomStringConvertible, Equatable, ExitCodeClassified {
    public let file: String
    public let line: Int?
    public let column: Int?
    /// Where in the document: `timeline[2].fault.pause.target`.
    public let path: String
    public let message: String

    public init(file: String, line: Int?, column: Int?, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        let location = [file, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":")
        return "\(location): \(path.isEmpty ? "" : "\(path): ")\(message)"
    }

    public var exitCode: FaultlineExitCode { .invalidInput }
}
