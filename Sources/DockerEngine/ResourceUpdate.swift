/// The body of `POST /containers/{id}/update`: only the fields that are set are sent.
///
/// The engine refuses to mix `NanoCpus` with `CpuQuota`/`CpuPeriod` on one container (409
/// "Conflicting options"), so `cpuLimit(_:keepingModeOf:)` picks the container's own mode.
public struct ResourceUpdate: Codable, Sendable, Equatable {
    public var nanoCpus: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: Int64?
    public var memory: Int64?
    public var memorySwap: Int64?

    public init(nanoCpus: Int64? = nil, cpuQuota: Int64? = nil, cpuPeriod: Int64? = nil,
                memory: Int64? = nil, memorySwap: Int64? = nil) {
        self.nanoCpus = nanoCpus
        self.cpuQuota = cpuQuota
        self.cpuPeriod = cpuPeriod
        self.memory = memory
        self.memorySwap = memorySwap
    }

    enum CodingKeys: String, CodingKey {
        case nanoCpus = "NanoCpus", cpuQuota = "CpuQuota", cpuPeriod = "CpuPeriod"
        case memory = "Memory", memorySwap = "MemorySwap"
    }

    /// A CPU limit of `cpus` cores in the mode the container already uses: `NanoCpus` when its own
    /// limit is set that way, else `CpuQuota`/`CpuPeriod` (which, unlike `NanoCpus`, can be cleared
    /// again with `CpuQuota: -1`).
    public static func cpuLimit(_ cpus: Double, keepingModeOf host: HostConfig) -> ResourceUpdate {
        if host.usesNanoCpus { return ResourceUpdate(nanoCpus: Int64((cpus * 1e9).rounded())) }
        let period = (host.cpuPeriod ?? 0) > 0 ? host.cpuPeriod! : 100_000
        return ResourceUpdate(cpuQuota: max(1_000, Int64((cpus * Double(period)).rounded())), cpuPeriod: period)
    }
}
