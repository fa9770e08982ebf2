/// Kills what a resource hog started (and removes the scratch directory an io-hog wrote under): every process in the container's cgroups that carries the
/// fault's token in its environment (`FAULTLINE_HOG=token`), found from the ledger alone, so the
/// warden or `recover` ends a hog after its faultline process died. The hog's own time-out ends it
/// too, later; finding none is already clear.
public struct HogStep: Sendable, Equatable, Codable {
    /// The marker its processes inherit.
    public let token: String
    /// The container's cgroup directories the hog joined (where its processes are looked for).
    public let cgroups: [String]
    /// `cpu-hog 2 workers at 80%`.
    public let what: String
    /// The scratch directory the hog wrote under (io-hog), removed once its processes are gone.
    public let scratch: FillFileStep?

    public init(token: String, cgroups: [String], what: String, scratch: FillFileStep? = nil) {
        self.token = token
        self.cgroups = cgroups
        self.what = what
        self.scratch = scratch
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        let killed = try await environment.processes.stopHog(token: token, in: cgroups)
        let removed = try await scratch?.apply(in: environment)
        if killed > 0 || removed == .restored { return .restored }
        return .alreadyClear("\(what) had already ended\(scratch == nil ? "" : " and left no scratch directory")")
    }
}
