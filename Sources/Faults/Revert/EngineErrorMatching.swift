import DockerEngine

/// Engine answers that a revert reads as "already in the wanted state" or "container gone".
enum EngineErrorMatching {
    static func isGone(_ error: any Error) -> Bool {
        (error as? DockerEngineError)?.isNotFound == true
    }

    /// A refusal whose message says the container is not in the state the call needs ("is not
    /// paused", "is not running", "already exists"). Newer engines answer 409 (or 403); 20.10
    /// answers an unpause of a container that is not paused with a plain 500 — seen when a
    /// faultline process was killed while its unpause call was under way, so the ledger never
    /// heard that it had succeeded.
    static func isRefusal(_ error: any Error, saying phrase: String) -> Bool {
        guard let engine = error as? DockerEngineError, let status = engine.status, [403, 409, 500].contains(status) else { return false }
        return engine.message.localizedLowercase.contains(phrase)
    }
}
