extension DockerEngineClient {
    /// `GET /containers/json`; `all` includes stopped containers.
    public func listContainers(all: Bool = true, filters: ContainerFilters = ContainerFilters())
        async throws(DockerEngineError) -> [ContainerSummary]
    {
        var query = [("all", all ? "1" : "0")]
        if let value = filters.queryValue { query.append(("filters", value)) }
        return try await decode(.get, "/containers/json", query: query)
    }

    /// `GET /containers/{id}/json`; accepts an id, an id prefix or a name.
    public func inspectContainer(_ idOrName: String) async throws(DockerEngineError) -> ContainerDetails {
        try await decode(.get, "/containers/\(Self.segment(idOrName))/json")
    }

    /// `POST /containers/{id}/start`. Returns false when it was already running (HTTP 304).
    @discardableResult
    public func startContainer(_ id: String) async throws(DockerEngineError) -> Bool {
        try await send(.post, "/containers/\(Self.segment(id))/start", acceptNotModified: true).status != 304
    }

    /// `POST /containers/{id}/stop?t=`. Returns false when it was already stopped (HTTP 304).
    @discardableResult
    public func stopContainer(_ id: String, timeout: Int? = nil) async throws(DockerEngineError) -> Bool {
        let query = timeout.map { [("t", String($0))] } ?? []
        return try await send(.post, "/containers/\(Self.segment(id))/stop", query: query,
                              timeout: Self.lifecycleTimeout(timeout), acceptNotModified: true).status != 304
    }

    /// `POST /containers/{id}/restart?t=`.
    public func restartContainer(_ id: String, timeout: Int? = nil) async throws(DockerEngineError) {
        let query = timeout.map { [("t", String($0))] } ?? []
        _ = try await send(.post, "/containers/\(Self.segment(id))/restart", query: query, timeout: Self.lifecycleTimeout(timeout))
    }

    /// `POST /containers/{id}/kill?signal=`.
    public func killContainer(_ id: String, signal: String = "SIGKILL") async throws(DockerEngineError) {
        _ = try await send(.post, "/containers/\(Self.segment(id))/kill", query: [("signal", signal)])
    }

    /// `POST /containers/{id}/pause` (freezes every process with the cgroup freezer). Returns once
    /// the engine reports the container paused: the engine updates that state from a containerd
    /// event, which can lag the call's answer on a busy machine. runc's "unable to freeze" (the
    /// freezer timed out while processes were busy) is retried twice before it is reported.
    public func pauseContainer(_ id: String) async throws(DockerEngineError) {
        var attempt = 1
        while true {
            do {
                _ = try await send(.post, "/containers/\(Self.segment(id))/pause")
                break
            } catch where attempt < 3 && error.status == 500 && error.message.contains("unable to freeze") {
                attempt += 1
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        await awaitPaused(id, true)
    }

    /// `POST /containers/{id}/pause` with the call's timing (for benchmarks).
    public func timedPause(_ id: String) async throws(DockerEngineError) -> EngineTiming {
        EngineTiming(try await send(.post, "/containers/\(Self.segment(id))/pause").timing)
    }

    /// `POST /containers/{id}/unpause`. Returns once the engine reports the container unpaused.
    public func unpauseContainer(_ id: String) async throws(DockerEngineError) {
        _ = try await send(.post, "/containers/\(Self.segment(id))/unpause")
        await awaitPaused(id, false)
    }

    /// Waits (up to 2 s) until inspect reports `paused`; gives up quietly, since the call itself succeeded.
    func awaitPaused(_ id: String, _ paused: Bool) async {
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            guard let state = try? await inspectContainer(id).state, state.paused != paused, state.running else { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
        logger.warning("engine state did not follow the call", metadata: ["container": "\(id)", "paused": "\(paused)"])
    }

    /// `POST /containers/{id}/unpause` with the call's timing (for benchmarks).
    public func timedUnpause(_ id: String) async throws(DockerEngineError) -> EngineTiming {
        EngineTiming(try await send(.post, "/containers/\(Self.segment(id))/unpause").timing)
    }

    /// `POST /containers/{id}/update`. Note: the engine persists these limits in the container's
    /// HostConfig and cannot clear a memory limit or a `NanoCpus` limit again; faults that must
    /// restore exactly write the live cgroup instead (see `Faults`).
    public func updateContainer(_ id: String, _ update: ResourceUpdate) async throws(DockerEngineError) {
        _ = try await send(.post, "/containers/\(Self.segment(id))/update", body: Self.json(update))
    }

    /// `POST /containers/create?name=`; returns the new id.
    public func createContainer(name: String, _ request: ContainerCreateRequest) async throws(DockerEngineError) -> String {
        let created: CreatedObject = try await decode(.post, "/containers/create", query: [("name", name)], body: Self.json(request))
        return created.id
    }

    /// `DELETE /containers/{id}?force=1&v=1`. Succeeds when the container is already gone.
    public func removeContainer(_ id: String, force: Bool = true) async throws(DockerEngineError) {
        do {
            _ = try await send(.delete, "/containers/\(Self.segment(id))", query: [("force", force ? "1" : "0"), ("v", "1")])
        } catch where error.isNotFound {
            return
        }
    }

    /// The HTTP time-out for a stop or restart: the grace period plus room for the engine's own work.
    static func lifecycleTimeout(_ graceSeconds: Int?) -> Duration {
        .seconds((graceSeconds ?? 10) + 30)
    }
}
