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

    /// CPU time (user + system) process `pid` has used so far (/proc/PID/stat; clock-tick resolution); zero when unknown.
    static func cpuTime(ofProcess pid: Int) -> Duration {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return .zero }
        // After "pid (comm)": state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int64(fields[11]), let system = Int64(fields[12]) else { return .zero }
        return .milliseconds((user + system) * 1000 / Int64(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// Peak resident set size of this process (VmHWM), in bytes.
    static func peakResidentBytes() -> Int64 { memory("VmHWM") }

    /// A memory field of /proc/PID/status (`VmRSS`, `VmHWM`, `RssAnon`…) in bytes; 0 when unknown.
    static func memory(_ field: String, of process: String = "self") -> Int64 {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return (line.split(separator: " ").compactMap { Int64($0) }.first ?? 0) * 1024
        }
        return 0
    }
}
