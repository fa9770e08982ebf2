import FaultlineSupport

/// The ledger could not be written or read. Nothing is injected without a ledger.
public struct LedgerError: Error, CustomStringConvertible, ExitCodeClassified {
    public let path: String
    public let operation: String
    public let reason: String

    public var description: String {
        "fault ledger \(path): cannot \(operation): \(reason); faultline refuses to inject without a ledger (set --state-dir or FAULTLINE_STATE_DIR to a writable directory)"
    }

    public var exitCode: FaultlineExitCode { .infrastructure }
}
