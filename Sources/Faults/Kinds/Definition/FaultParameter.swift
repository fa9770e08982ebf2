/// One parameter of a fault kind, described once: the campaign file, `faultline inject`, its
/// help, the JSON Schema and the README's table all read this.
public struct FaultParameter: Sendable {
    /// The key in a campaign file (`limit`).
    public let key: String
    /// The `inject` option, without dashes (`memory`); the key unless a kind says otherwise.
    public let option: String
    public let type: ParameterType
    public let required: Bool
    /// A list in a campaign file, a repeatable option on the command line.
    public let repeatable: Bool
    /// What it means, a few words ("cores the container may use").
    public let help: String
    /// A value to show (`0.2`).
    public let example: String

    public init(_ key: String, option: String? = nil, _ type: ParameterType, required: Bool = false, repeatable: Bool = false,
                help: String, example: String) {
        self.key = key
        self.option = option ?? key
        self.type = type
        self.required = required
        self.repeatable = repeatable
        self.help = help
        self.example = example
    }

    /// Reads one given text as this parameter's type.
    public func read(_ text: String, index: Int?) throws(ParameterError) -> ParameterValue {
        do {
            return try type.read(text)
        } catch {
            throw ParameterError(key: key, index: index, "\(parameter: key)\(error.problem)")
        }
    }

    /// `cores the container may use, 0.01 … 1024 (e.g. 0.2)`.
    public var helpLine: String {
        let bounds = type.bounds.map { ", \($0)" } ?? ""
        return "\(help)\(bounds) (e.g. \(example))\(repeatable ? "; repeatable" : "")"
    }

    /// The grace of stop and restart: one definition for both kinds.
    public static let grace = FaultParameter("grace", .seconds(0...StopFault.maximumGraceSeconds),
                                             help: "whole seconds the engine waits before SIGKILL", example: "10s")
    /// Which traffic a network fault acts on.
    public static func direction(default value: TrafficDirection) -> FaultParameter {
        FaultParameter("direction", .choice(TrafficDirection.allCases.map(\.rawValue)),
                       help: "which traffic of the container (default \(value.rawValue))", example: "inbound")
    }
}
