/// A fault kind's parameters as one Codable value with its own checks: the one definition the
/// campaign parser, `faultline inject` (options and help), the JSON Schema and the README's
/// table are read from. Adding a kind: a folder under `Kinds/` with its action and this type,
/// and a case in `FaultKind` (the compiler then asks for its definition).
public protocol FaultParameters: Sendable, Codable, Equatable {
    static var kind: FaultKind { get }
    /// What the kind does, one line.
    static var purpose: String { get }
    /// What the revert restores, exactly.
    static var revert: String { get }
    /// Whether the kind takes a window (`for`).
    static var window: FaultWindowUse { get }
    /// The parameters, in the order help and docs list them.
    static var parameters: [FaultParameter] { get }
    /// A typical use, as the arguments after `faultline inject` (`cpu api --cpus 0.2 --for 1m`).
    static var example: String { get }

    /// Builds the parameters from values each parameter's type already read and checked; rules
    /// across parameters (`peers` or `networks`, not both) are checked here.
    init(_ input: ParameterInput) throws(ParameterError)

    /// The values as texts by campaign key, the inverse of `init(_:)`: `read(texts)` gives the
    /// same parameters back (what a coordinator sends an agent, which reads them itself).
    var texts: [(key: String, texts: [String])] { get }

    /// The fault to inject; `hasWindow` tells a kill whether to start the container again.
    func action(hasWindow: Bool) -> any FaultAction

    /// `cpu 0.2`, `kill SIGTERM`.
    var summary: String { get }
}

extension FaultParameters {
    public var summary: String { action(hasWindow: true).summary }

    /// Reads raw texts by campaign key (`[("limit", ["64m"])]`): every parameter read by its
    /// type, then the kind's own rules.
    public static func read(_ given: [(key: String, texts: [String])]) throws(ParameterError) -> Self {
        try Self(ParameterInput.read(given, for: Self.self))
    }

    public static var kindName: String { kind.rawValue }
}

/// Whether a kind lasts for a window.
public enum FaultWindowUse: Sendable {
    /// Lasts for the window and is reverted at its end (stop, pause, cpu…).
    case required
    /// One-shot; takes no window (restart).
    case none
    /// One-shot, or with a window after which the container is started again (kill).
    case optional
}
