import DockerEngine

/// Engine answers that a revert reads as "already in the wanted state" or "container gone".
enum EngineErrorMatching {
    static func isGone(_ error: any Error) -> Bool {
        (error as? DockerEngineError)?.isNotFound == true
    }

    /// A refusal (403 or 409) whose message says the container is not in the state the call
    /// needs ("is not paused", "is not running", "already exists").
    static func isRefusal(_ error: any Error, saying phrase: String) -> Bool {
        guard let engine = error as? DockerEngineError, engine.status == 409 || engine.status == 403 else { return false }
        return engine.message.localizedLowercase.contains(phrase)
    }
}
