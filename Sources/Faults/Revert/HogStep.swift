/// Kills what a resource hog started: every process in the container's cgroups that carries the
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
    /// For a memory hog that seeks the OOM killer: what it reports at the revert.
    public let oomWatch: OOMWatch?
    /// For the packet engine: the file it writes its counts to when it ends, read into the outcome.
    public let countsFile: String?

    public init(token: String, cgroups: [String], what: String, oomWatch: OOMWatch? = nil, countsFile: String? = nil) {
        self.token = token
        self.cgroups = cgroups
        self.what = what
        self.oomWatch = oomWatch
        self.countsFile = countsFile
    }

    func apply(in environment: FaultEnvironment) async throws -> RevertOutcome {
        let killed = try await environment.processes.stopHog(token: token, in: cgroups)
        if let oomWatch {
            let note = await oomWatch.note(in: environment)
            return killed > 0 ? .restoredNoting(note) : .alreadyClear("\(what) had already ended; \(note)")
        }
        if let countsFile, let counts = PacketCounts.take(from: countsFile) {
            return killed > 0 ? .restoredCounting(counts) : .alreadyClear("\(what) had already ended; \(counts)")
        }
        return killed > 0 ? .restored : .alreadyClear("\(what) had already ended")
    }
}
