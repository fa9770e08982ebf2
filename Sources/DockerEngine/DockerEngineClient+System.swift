extension DockerEngineClient {
    /// `GET /_ping`: true when the engine answers `OK`.
    public func ping() async throws(DockerEngineError) -> Bool {
        let response = try await send(.get, "/_ping", timeout: .seconds(5), versioned: false)
        return String(decoding: response.body, as: UTF8.self) == "OK"
    }

    /// `GET /_ping` with the engine's own timing (for benchmarks).
    public func timedPing() async throws(DockerEngineError) -> EngineTiming {
        EngineTiming(try await send(.get, "/_ping", timeout: .seconds(5), versioned: false).timing)
    }

    /// `GET /version`.
    public func version() async throws(DockerEngineError) -> EngineVersion {
        try await decode(.get, "/version")
    }
}
