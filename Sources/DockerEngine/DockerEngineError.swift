/// A Docker Engine call that failed. Names the call (method and path), the HTTP status when
/// the engine answered, and the engine's own message (or the transport's, when it did not).
public struct DockerEngineError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, broadly.
    public enum Kind: Sendable, Equatable {
        /// The engine could not be reached or the transfer broke (socket missing, refused, time-out).
        case transport
        /// The engine answered with an error status.
        case status(Int)
        /// The engine answered, but not with what the API documents.
        case decoding
    }

    public let kind: Kind
    public let method: String
    public let path: String
    public let message: String

    public init(kind: Kind, method: String, path: String, message: String) {
        self.kind = kind
        self.method = method
        self.path = path
        self.message = message
    }

    /// The HTTP status, when the engine answered.
    public var status: Int? {
        if case .status(let code) = kind { return code }
        return nil
    }

    public var isNotFound: Bool { status == 404 }
    public var isNotModified: Bool { status == 304 }
    public var isConflict: Bool { status == 409 }

    public var description: String {
        switch kind {
        case .transport: return "engine call \(method) \(path) failed: \(message)"
        case .status(let code): return "engine call \(method) \(path) failed with HTTP \(code): \(message)"
        case .decoding: return "engine call \(method) \(path) returned an unexpected answer: \(message)"
        }
    }
}

import FaultlineSupport

extension DockerEngineError: ExitCodeClassified {
    /// Engine failures are infrastructure failures (exit 3).
    public var exitCode: FaultlineExitCode { .infrastructure }
}

extension EngineEndpointError: ExitCodeClassified {
    public var exitCode: FaultlineExitCode { .invalidInput }
}
