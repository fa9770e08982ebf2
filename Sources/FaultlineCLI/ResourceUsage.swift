import Foundation

/// CPU time and peak memory of this process (and of its finished children), for benchmarks.
struct ResourceUsage {
    let cpu: Duration
    let childrenCPU: Duration

    static func now() -> ResourceUsage {
        ResourceUsage(cpu: cpuTime(RUSAGE_SELF.rawValue), childrenCPU: cpuTime(RUSAGE_CHILDREN.rawValue))
    }

    private static func cpuTime(_ who: Int32) -> Duration {
        var usage = rusage()
        getrusage(who, &usage)
        let micros = Int64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000 + Int64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec)
        return .microseconds(micros)
    }

    /// Peak resident set size of this process (VmHWM), in bytes.
    static func peakResidentBytes() -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int64($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }
}
