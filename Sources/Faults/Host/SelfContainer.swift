import Foundation

/// Detects whether faultline runs inside a container, and which one.
public enum SelfContainer {
    /// This process's container id (nil on the host), read once: a process never changes
    /// container, and every fault and target resolution asks (it read /proc/self/cgroup and
    /// /proc/self/mountinfo twice per `inject`, and again for each daemon request).
    public static let current: String? = detectID()

    /// The id of the container this process runs in, or nil on the host.
    public static func detectID(cgroupText: String? = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
                                mountinfo: String? = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) -> String? {
        if let cgroupText, let id = firstContainerID(in: cgroupText, after: ["/docker/", "docker-"]) { return id }
        // cgroup v2 with a private namespace shows "0::/": the engine's bind mounts still name the id.
        if let mountinfo, let id = firstContainerID(in: mountinfo, after: ["/docker/containers/"]) { return id }
        return nil
    }

    static func firstContainerID(in text: String, after markers: [String]) -> String? {
        for marker in markers {
            var search = text[...]
            while let range = search.range(of: marker) {
                let candidate = search[range.upperBound...].prefix(64)
                if candidate.count == 64, candidate.allSatisfy(\.isHexDigit) { return String(candidate) }
                search = search[range.upperBound...]
            }
        }
        return nil
    }
}
