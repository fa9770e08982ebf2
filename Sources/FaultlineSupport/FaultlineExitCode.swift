/// The process exit codes faultline documents in its README.
public enum FaultlineExitCode: Int32, Sendable {
    case ok = 0
    /// A probe failed or a hypothesis was violated.
    case failed = 1
    /// The request could not be understood or applied: bad input, unknown target, wrong state.
    case invalidInput = 2
    /// The engine, the ledger or the host could not do what was needed.
    case infrastructure = 3
    /// Interrupted by SIGINT (after reverting what was injected).
    case interrupted = 130
    /// Terminated by SIGTERM (after reverting what was injected).
    case terminated = 143
}

/// An error that knows which exit code it deserves.
public protocol ExitCodeClassified: Error {
    var exitCode: FaultlineExitCode { get }
}
